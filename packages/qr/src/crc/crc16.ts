// CRC-16/CCITT-FALSE is the checksum every EMV MPM payload ends with (field 63); a wallet recomputes it to
// reject a damaged or hand-edited QR before it reads any field.

/** Generator polynomial x^16 + x^12 + x^5 + 1. */
const CRC16_POLY = 0x1021;
/** CCITT-FALSE starts from all ones, no reflection, no final XOR. */
const CRC16_INIT = 0xffff;

const utf8 = new TextEncoder();

const CRC16_TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ CRC16_POLY) & 0xffff : (crc << 1) & 0xffff;
    }
    table[byte] = crc;
  }
  return table;
})();

/** CRC-16/CCITT-FALSE of raw bytes, as a number in 0..0xFFFF. */
export function crc16Bytes(bytes: Uint8Array): number {
  let crc = CRC16_INIT;
  for (const byte of bytes) {
    crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0);
  }
  return crc;
}

/** CRC-16/CCITT-FALSE over the UTF-8 bytes of `s`, as 4 upper-case hex digits: crc16("123456789") = "29B1". */
export function crc16(s: string): string {
  return crc16Bytes(utf8.encode(s)).toString(16).toUpperCase().padStart(4, "0");
}
