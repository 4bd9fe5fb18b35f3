/** The Bernoulli numbers of the asymptotic series of log-gamma and its derivatives (runtime.ts, complexgamma.ts). */

/** Bernoulli numbers B_2, B_4, ..., B_30. */
export const BERNOULLI = [
  1 / 6,
  -1 / 30,
  1 / 42,
  -1 / 30,
  5 / 66,
  -691 / 2730,
  7 / 6,
  -3617 / 510,
  43867 / 798,
  -174611 / 330,
  854513 / 138,
  -236364091 / 2730,
  8553103 / 6,
  -23749461029 / 870,
  8615841276005 / 14322,
];
