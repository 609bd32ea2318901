/** WAL positions: as PostgreSQL writes them (16/B374D848), and as the number Debezium's offsets and events carry. */
export const lsnNumber = (lsn: string): number => {
  const [high, low] = lsn.split('/');
  return Number.parseInt(high ?? '0', 16) * 2 ** 32 + Number.parseInt(low ?? '0', 16);
};

export const lsnText = (lsn: number): string =>
  `${Math.floor(lsn / 2 ** 32)
    .toString(16)
    .toUpperCase()}/${(lsn % 2 ** 32).toString(16).toUpperCase()}`;
