export { createTurinpayClient, TURINPAY_WITHDRAWALS_PATH, type TurinpayClientOptions } from './client.ts';
export { TURINPAY_NETWORKS, type TurinpayNetwork } from './verify.ts';
