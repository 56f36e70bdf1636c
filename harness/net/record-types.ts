/** TLS record content types (RFC 8446 §5.1, RFC 5246 §6.2.1). */
export const RECORD_TYPE = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;
