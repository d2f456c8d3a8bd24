import { otpauthUri, qrSvg } from '../../../lib/mfa';

describe('qrSvg', () => {
  const uri = otpauthUri({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', issuer: 'ACME Co', account: 'ada@example.com' });

  it('is a bare <svg> element, with no XML prolog, script or external reference', async () => {
    const svg = await qrSvg(uri);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg.toLowerCase()).not.toContain('<script');
    expect(svg.toLowerCase()).not.toMatch(/\son\w+=|href=|<foreignobject|<image/);
  });

  it('is deterministic for the same text', async () => {
    expect(await qrSvg(uri)).toBe(await qrSvg(uri));
  });

  it('grows with the text it encodes', async () => {
    const short = await qrSvg('otpauth://totp/A:b?secret=JBSWY3DP');
    const long = await qrSvg(`${uri}&padding=${'x'.repeat(200)}`);
    expect(viewBoxSize(short)).toBeLessThan(viewBoxSize(await qrSvg(uri)));
    expect(viewBoxSize(await qrSvg(uri))).toBeLessThan(viewBoxSize(long));
  });

  it('differs for different text', async () => {
    expect(await qrSvg(uri)).not.toBe(await qrSvg(uri.replace('ada', 'bob')));
  });
});

function viewBoxSize(svg: string): number {
  const match = /viewBox="0 0 (\d+) \1"/.exec(svg);
  if (!match) throw new Error(`no square viewBox in ${svg.slice(0, 80)}`);
  return Number(match[1]);
}
