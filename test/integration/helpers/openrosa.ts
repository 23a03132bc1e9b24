import { readFileSync } from 'node:fs';

/** The recorded ODK Collect traffic and the filled forms the OpenRosa tests replay. */
export const openRosaFixtures = new URL('../../fixtures/openrosa/', import.meta.url);

/** Requests of ODK Collect as recorded (formList, formDownload, submissionPost, …). */
export const recorded = JSON.parse(
  readFileSync(new URL('requests.json', openRosaFixtures), 'utf8'),
) as Record<
  string,
  {
    method: 'GET' | 'HEAD' | 'POST';
    url: string;
    headers: Record<string, string>;
    boundary?: string;
    instanceFile?: string;
  }
>;

/** The filled activity form the tests start from. */
export const instanceTemplate = readFileSync(new URL('activity-submission.xml', openRosaFixtures), 'utf8');

/** The multipart body ODK Collect (OkHttp) sends: the filled form, its photos, and the split flag. */
export function collectBody(
  xml: string,
  photos: Array<{ name: string; content: Buffer }>,
  incomplete = false,
) {
  const { boundary, instanceFile } = recorded.submissionPost!;
  const part = (headers: string[], content: Buffer) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\nContent-Length: ${content.length}\r\n\r\n`),
      content,
      Buffer.from('\r\n'),
    ]);
  return {
    payload: Buffer.concat([
      part(
        [
          `Content-Disposition: form-data; name="xml_submission_file"; filename="${instanceFile}"`,
          'Content-Type: text/xml',
        ],
        Buffer.from(xml),
      ),
      ...photos.map((p) =>
        part(
          [
            `Content-Disposition: form-data; name="${p.name}"; filename="${p.name}"`,
            'Content-Type: image/jpeg',
          ],
          p.content,
        ),
      ),
      ...(incomplete
        ? [part(['Content-Disposition: form-data; name="*isIncomplete*"'], Buffer.from('yes'))]
        : []),
      Buffer.from(`--${boundary}--\r\n`),
    ]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
