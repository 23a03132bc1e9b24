#!/usr/bin/env bash
# Generates the Pulkovo 1942 / Gauss-Krüger <-> WGS 84 reference values used by
# test/unit/geo/crs.test.ts, with PROJ's own tools (Debian package proj-bin):
#   apt-get install -y proj-bin && bash test/reference/make-pulkovo-reference.sh
#
# Writes, next to this script:
#   pulkovo-gk-wgs84.tsv         points across Armenia, Azerbaijan and Georgia (38–44°N, 40–52°E,
#                                and 54–60°E for zone 10) converted by cs2cs with EPSG:15865 forced
#   pulkovo-crs-definitions.tsv  projinfo's proj string for every EPSG code src/geo/crs.ts knows
#
# Why the transformation is forced: for EPSG:4284 -> EPSG:4326 PROJ knows several operations
# in this area (EPSG:15865, 1808, 5044, ...) and cs2cs picks one per point. Each source CRS is
# therefore given to cs2cs as its projinfo proj string with the +towgs84 of EPSG:15865, and the
# script checks that this gives the same numbers as the pipeline projinfo builds from EPSG's
# own definition of EPSG:15865 (coordinate frame rotation), run through cct.
set -euo pipefail
cd "$(dirname "$0")"

TOWGS84='+towgs84=25,-141,-78.5,0,0.35,0.736,0'
PROJ_VERSION=$( (cs2cs 2>&1 || true) | head -n 1)
OUT=pulkovo-gk-wgs84.tsv
DEFS=pulkovo-crs-definitions.tsv
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The CRS's proj string from PROJ's database, with EPSG:15865 forced as its datum shift.
forced_crs() {
  projinfo "EPSG:$1" -o PROJ --single-line -q | sed -e 's/ +towgs84=[^ ]*//' -e 's/ +type=crs//' \
    | sed -e "s/\$/ $TOWGS84 +type=crs/"
}

# Pulkovo 1942 geographic points (lat lon), deterministic, not on round values.
awk 'BEGIN {
  for (i = 0; i < 12; i++) for (j = 0; j < 24; j++)
    printf "%.6f %.6f\n", 38.05 + 0.5 * i + 0.0137 * ((i * 7 + j * 3) % 5), 40.05 + 0.5 * j + 0.0173 * ((i * 3 + j * 5) % 7);
  for (i = 0; i < 6; i++) for (j = 0; j < 6; j++)
    printf "%.6f %.6f\n", 38.25 + i + 0.0211 * ((i + j) % 4), 54.25 + j + 0.0191 * ((i * 2 + j) % 3);
}' >"$TMP/pulkovo-points.txt"
# WGS 84 points (lat lon) for the other direction, offset from the first set.
awk 'BEGIN {
  for (i = 0; i < 12; i++) for (j = 0; j < 24; j++)
    printf "%.7f %.7f\n", 38.2 + 0.5 * i + 0.0119 * ((i * 5 + j) % 6), 40.2 + 0.5 * j + 0.0157 * ((i + j * 2) % 5);
  for (i = 0; i < 6; i++) for (j = 0; j < 6; j++)
    printf "%.7f %.7f\n", 38.6 + i, 54.6 + j;
}' >"$TMP/wgs84-points.txt"

# Which CRSs a point is written in: its own 6° zone, the neighbouring 6° zone when within
# 1° of the boundary, its own 3° zone, and the no-prefix "CM" variants around 45°E.
# Reads "lat lon" lines, writes "code lat lon" lines.
tag_with_crs() {
  awk '{
    lon = $2; z = int(lon / 6) + 1; print 28400 + z, $1, $2
    w = lon - 6 * (z - 1); if (w < 1 && z > 4) print 28400 + z - 1, $1, $2; if (w > 5 && z < 32) print 28400 + z + 1, $1, $2
    z3 = int((lon + 1.5) / 3); if (z3 >= 7 && z3 <= 33) print 2523 + z3 - 7, $1, $2
    if (lon >= 42 && lon < 48) print 2498, $1, $2
    if (lon >= 43.5 && lon < 46.5) print 2590, $1, $2
  }'
}
tag_with_crs <"$TMP/pulkovo-points.txt" >"$TMP/pulkovo-tagged.txt"
tag_with_crs <"$TMP/wgs84-points.txt" >"$TMP/wgs84-tagged.txt"

: >"$TMP/rows.tsv"
CMDS=()

# Pulkovo 1942 geographic -> WGS 84.
cut -d' ' -f1,2 "$TMP/pulkovo-points.txt" | awk '{print $2, $1}' \
  | cs2cs -f %.10f $(forced_crs 4284) +to EPSG:4326 \
  | paste "$TMP/pulkovo-points.txt" - | awk -v OFS='\t' '{print "to_wgs84", "EPSG:4284", $1, $2, $3, $4}' \
  >>"$TMP/rows.tsv"
CMDS+=("cs2cs -f %.10f $(forced_crs 4284) +to EPSG:4326   # input: lon lat")

# WGS 84 -> Pulkovo 1942 geographic.
awk '{print $1, $2}' "$TMP/wgs84-points.txt" \
  | cs2cs -f %.10f EPSG:4326 +to $(forced_crs 4284) \
  | paste "$TMP/wgs84-points.txt" - | awk -v OFS='\t' '{print "from_wgs84", "EPSG:4284", $4, $3, $1, $2}' \
  >>"$TMP/rows.tsv"
CMDS+=("cs2cs -f %.10f EPSG:4326 +to $(forced_crs 4284)   # input: lat lon; output: lon lat")

CODES=$(cut -d' ' -f1 "$TMP/pulkovo-tagged.txt" | sort -un)
for code in $CODES; do
  awk -v c="$code" '$1 == c {print $2, $3}' "$TMP/pulkovo-tagged.txt" >"$TMP/p-$code.txt"
  awk -v c="$code" '$1 == c {print $2, $3}' "$TMP/wgs84-tagged.txt" >"$TMP/w-$code.txt"
  crs=$(forced_crs "$code")

  # Grid coordinates of Pulkovo points: a pure projection on one datum, rounded to 1 mm;
  # these rounded values are the inputs of the datum shift below.
  awk '{print $2, $1}' "$TMP/p-$code.txt" | cs2cs -f %.3f +proj=longlat +ellps=krass +type=crs +to $crs \
    | awk '{print $1, $2}' >"$TMP/p-$code-en.txt"
  # Gauss-Krüger -> WGS 84 (input easting northing, output lat lon).
  cs2cs -f %.10f $crs +to EPSG:4326 <"$TMP/p-$code-en.txt" \
    | paste "$TMP/p-$code-en.txt" - \
    | awk -v OFS='\t' -v c="EPSG:$code" '{print "to_wgs84", c, $2, $1, $3, $4}' >>"$TMP/rows.tsv"
  # WGS 84 -> Gauss-Krüger (input lat lon, output easting northing).
  cs2cs -f %.4f EPSG:4326 +to $crs <"$TMP/w-$code.txt" \
    | paste "$TMP/w-$code.txt" - \
    | awk -v OFS='\t' -v c="EPSG:$code" '{print "from_wgs84", c, $4, $3, $1, $2}' >>"$TMP/rows.tsv"
  CMDS+=("EPSG:$code  cs2cs -f %.10f $crs +to EPSG:4326   # input: easting northing")
  CMDS+=("EPSG:$code  cs2cs -f %.4f EPSG:4326 +to $crs   # input: lat lon")
done

# Cross-check the forced +towgs84 against EPSG's own definition of EPSG:15865, built by PROJ.
PIPELINE=$(projinfo urn:ogc:def:coordinateOperation:EPSG::15865 -o PROJ --single-line -q)
awk -F'\t' '$1 == "to_wgs84" && $2 == "EPSG:4284" {print $3, $4, 0, 0}' "$TMP/rows.tsv" \
  | cct -d 10 $PIPELINE >"$TMP/cct.txt"
MAXDIFF=$(awk -F'\t' '$1 == "to_wgs84" && $2 == "EPSG:4284" {print $5, $6}' "$TMP/rows.tsv" | paste -d' ' - "$TMP/cct.txt" \
  | awk 'function abs(x) {return x < 0 ? -x : x} {d = abs($1 - $3); e = abs($2 - $4); if (d > m) m = d; if (e > m) m = e} END {printf "%.3g", m}')
if awk -v m="$MAXDIFF" 'BEGIN {exit !(m > 1e-9)}'; then
  echo "forced +towgs84 disagrees with EPSG:15865 as PROJ defines it by $MAXDIFF deg" >&2
  exit 1
fi

{
  echo "# Pulkovo 1942 / Gauss-Krüger <-> WGS 84 reference values, generated by test/reference/make-pulkovo-reference.sh"
  echo "# PROJ: $PROJ_VERSION (cs2cs, projinfo, cct from Debian proj-bin)"
  echo "# Transformation: EPSG:15865 Pulkovo 1942 to WGS 84 (16), forced as $TOWGS84 (position vector)."
  echo "# Check: cct with projinfo's pipeline for urn:ogc:def:coordinateOperation:EPSG::15865"
  echo "#   ($PIPELINE)"
  echo "#   agrees with the forced +towgs84 on every EPSG:4284 point within $MAXDIFF degrees (10 decimals printed)."
  echo "# Grid coordinates for to_wgs84 rows: cs2cs -f %.3f +proj=longlat +ellps=krass +type=crs +to <crs> (pure projection)."
  echo "# Commands:"
  for c in "${CMDS[@]}"; do echo "#   $c"; done
  echo "# Columns: direction (to_wgs84: crs_a/crs_b were the input; from_wgs84: wgs84_lat/lon were the input),"
  echo "#   crs, crs_a, crs_b in the CRS's EPSG axis order (X north then Y east for Gauss-Krüger, lat then lon"
  echo "#   for EPSG:4284), wgs84_lat, wgs84_lon."
  printf 'direction\tcrs\tcrs_a\tcrs_b\twgs84_lat\twgs84_lon\n'
  cat "$TMP/rows.tsv"
} >"$OUT"

{
  echo "# projinfo -o PROJ --single-line for every EPSG code src/geo/crs.ts defines; PROJ: $PROJ_VERSION"
  printf 'code\tproj4\n'
  for code in 4326 4284 $(seq 28404 28432) $(seq 2492 2520) $(seq 2523 2549) $(seq 2582 2599) \
    32601 32630 32638 32660 32701 32738 32760; do
    printf 'EPSG:%s\t%s\n' "$code" "$(projinfo "EPSG:$code" -o PROJ --single-line -q)"
  done
} >"$DEFS"

echo "wrote $OUT ($(grep -vc '^#' "$OUT") lines incl. header) and $DEFS" >&2
