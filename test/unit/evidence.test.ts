import { describe, expect, it } from 'vitest';
import { checkEvidence, daysBetween, metadataFromTags, NO_METADATA } from '../../src/services/evidence.ts';

const limits = { distanceM: 500, days: 7 };
const target = { distanceM: 120, recordDate: '2022-08-15', recordDateField: 'foundOn' };

describe('photo metadata from EXIF and XMP tags', () => {
  it('keeps the camera time as written and its offset, and the GPS time in UTC', () => {
    const m = metadataFromTags({
      DateTimeOriginal: '2022:08:26 09:05:00',
      OffsetTimeOriginal: '+0400',
      GPSDateStamp: '2022:08:26',
      GPSTimeStamp: [5, 4, 30.5],
      latitude: 39.8,
      longitude: 46.75,
      GPSAltitude: 12.34,
      GPSAltitudeRef: 1,
      Make: 'Apple\u0000\u0000',
      Orientation: 9,
    });
    expect(m).toMatchObject({
      takenLocal: '2022-08-26T09:05:00',
      takenOffset: '+04:00',
      gpsTime: '2022-08-26T05:04:30.500Z',
      position: { type: 'Point', coordinates: [46.75, 39.8] },
      altitudeM: -12.3,
      cameraMake: 'Apple',
      orientation: null,
    });
  });

  it('reads an XMP date with its zone, and takes 0,0 and a zero date as nothing', () => {
    const m = metadataFromTags({ DateTimeOriginal: '2022-08-26T09:05:00+04:00', latitude: 0, longitude: 0 });
    expect([m.takenLocal, m.takenOffset, m.position]).toEqual(['2022-08-26T09:05:00', '+04:00', null]);
    expect(metadataFromTags({ DateTimeOriginal: '0000:00:00 00:00:00' }).takenLocal).toBeNull();
  });
});

describe('the check of a photo against its record', () => {
  it('counts calendar days from the record, positive after it', () => {
    expect(daysBetween('2022-08-15', '2022-08-26')).toBe(11);
    expect(daysBetween('2022-08-26', '2022-08-15')).toBe(-11);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
  });

  it('says a photo one day past the limit cannot be told when the file has no time zone', () => {
    const photo = { ...NO_METADATA, takenLocal: '2022-08-23T23:50:00' };
    const noZone = checkEvidence(photo, target, limits);
    expect(noZone.findings.find((f) => f.code.startsWith('evidence.time'))).toMatchObject({
      code: 'evidence.time.borderline',
      status: 'undetermined',
      params: { days: 8 },
    });
    const zoned = checkEvidence({ ...photo, takenOffset: '+04:00' }, target, limits);
    expect(zoned.findings.find((f) => f.code.startsWith('evidence.time'))?.code).toBe('evidence.time.after');
  });

  it('puts the limit itself inside, and a record without a place as undetermined', () => {
    const photo = {
      ...NO_METADATA,
      position: { type: 'Point' as const, coordinates: [46, 39] as [number, number] },
    };
    expect(checkEvidence(photo, { ...target, distanceM: 500 }, limits).findings[0]!.code).toBe(
      'evidence.place.within',
    );
    expect(checkEvidence(photo, { ...target, distanceM: 500.04 }, limits).findings[0]!.code).toBe(
      'evidence.place.within',
    );
    expect(checkEvidence(photo, { ...target, distanceM: 500.1 }, limits).findings[0]!.code).toBe(
      'evidence.place.beyond',
    );
    expect(checkEvidence(photo, { ...target, distanceM: null }, limits).findings[0]).toMatchObject({
      code: 'evidence.place.record_without_place',
      status: 'undetermined',
    });
  });

  it('names a camera clock that disagrees with the GPS time by more than a minute', () => {
    const photo = {
      ...NO_METADATA,
      takenLocal: '2022-08-15T10:00:00',
      takenOffset: '+04:00',
      gpsTime: '2022-08-15T05:55:00.000Z',
    };
    const codes = checkEvidence(photo, target, limits).findings.map((f) => [f.code, f.params]);
    expect(codes).toContainEqual(['evidence.clock.drift', { seconds: 300 }]);
  });
});

describe('what the check calls the file', () => {
  it('names a photo, a video, a document or a file by its media type', async () => {
    const { fileKind } = await import('../../src/services/evidence.ts');
    expect(
      ['image/jpeg', 'video/mp4', 'application/pdf', 'text/plain', 'application/zip', undefined].map(
        fileKind,
      ),
    ).toEqual(['photo', 'video', 'document', 'document', 'file', 'photo']);
    const pdf = checkEvidence(NO_METADATA, { ...target, mediaType: 'application/pdf' }, limits);
    expect(pdf.findings.map((f) => f.params.kind)).toEqual(['document', 'document']);
  });
});
