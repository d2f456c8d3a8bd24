import OfflineCors from '../../../infra/plugins/offline-cors.js';

const { headersToRemove } = OfflineCors;
const allowed = new Set(['http://localhost:3000']);
const corsHeaders = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods', 'access-control-max-age'];

describe("offline CORS: serverless-offline's reflected origins are taken back", () => {
  it('removes every CORS header of an answer that reflects a foreign origin, or the null origin', () => {
    for (const origin of ['https://evil.example', 'null', 'http://localhost:3000.evil.example']) {
      expect(headersToRemove(origin, origin, allowed, [...corsHeaders, 'content-type'])).toEqual(corsHeaders);
    }
  });

  it('keeps the answers of allowed origins, of requests without an Origin, and a handler that names an allowed origin', () => {
    expect(headersToRemove('http://localhost:3000', 'http://localhost:3000', allowed, corsHeaders)).toEqual([]);
    expect(headersToRemove(undefined, 'http://localhost:3000', allowed, corsHeaders)).toEqual([]);
    expect(headersToRemove('https://evil.example', 'http://localhost:3000', allowed, corsHeaders)).toEqual([]);
    expect(headersToRemove('https://evil.example', undefined, allowed, ['content-type'])).toEqual([]);
  });
});
