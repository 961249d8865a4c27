// Functions Swift cannot call directly: OpenSSL macros, wrapped as static inline functions.
#ifndef MAILLINK_COPENSSL_SHIM_H
#define MAILLINK_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/rand.h>

/// SNI: SSL_set_tlsext_host_name is a macro over SSL_ctrl.
static inline int maillink_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl.
static inline int maillink_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline long maillink_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

static inline int maillink_TLS1_2_VERSION(void) { return TLS1_2_VERSION; }
static inline int maillink_TLS1_3_VERSION(void) { return TLS1_3_VERSION; }

/// BIO_get_mem_data is a macro over BIO_ctrl.
static inline long maillink_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline void maillink_OPENSSL_free(void *p) { OPENSSL_free(p); }

/// A certificate chain in the store context; sk_X509_num is a macro.
static inline int maillink_sk_X509_num(const STACK_OF(X509) *chain) { return sk_X509_num(chain); }
static inline X509 *maillink_sk_X509_value(const STACK_OF(X509) *chain, int i) { return sk_X509_value(chain, i); }

#endif
