/** The HKDF salt of every MFA key: it keeps them apart from any other use of the same server key. */
export const MFA_KEY_SALT = 'jwt-auth-service/mfa';
