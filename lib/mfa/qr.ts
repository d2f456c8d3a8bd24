import QRCode from 'qrcode';

/**
 * The QR code of `text` as an inline SVG string, made on the server so the client needs no QR
 * library. qrcode's SVG is two paths and nothing else (no script, no external reference), which
 * suits the demo's strict CSP as an `<img src="data:image/svg+xml,...">` or inline markup.
 */
export async function qrSvg(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
  // Start at the element itself, whatever the library puts before it (an XML prolog, white space).
  const start = svg.indexOf('<svg');
  if (start < 0) throw new Error('qrcode returned no <svg> element.');
  return svg.slice(start).trim();
}
