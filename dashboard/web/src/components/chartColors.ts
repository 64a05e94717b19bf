/** Series colours, distinguishable and readable on white. */
export const SERIES_COLORS = ['#1f6feb', '#d9480f', '#2b8a3e', '#9c36b5', '#0b7285', '#e8590c', '#5c940d', '#c2255c'];
export const seriesColor = (i: number): string => SERIES_COLORS[i % SERIES_COLORS.length]!;
