export { createAurpayClient, AURPAY_TX_PATH, AURPAY_WITHDRAW_PATH, type AurpayClientOptions } from './client.ts';
export { aurpaySignedHeaders, aurpayStringToSign, type AurpaySignInput } from './sign.ts';
