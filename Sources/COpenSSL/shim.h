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

/// Treat a peer that closes without close_notify as a clean end of stream (many mail servers do).
static inline void maillink_SSL_CTX_ignore_unexpected_eof(SSL_CTX *ctx) {
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
}

static inline long maillink_SSL_partial_write_modes(void) {
    return SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
}

/// Key and certificate generation for test servers (EVP_EC_gen is a macro).
static inline EVP_PKEY *maillink_generate_ec_key(void) {
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
    if (ctx == NULL) return NULL;
    if (EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1) <= 0
        || EVP_PKEY_keygen(ctx, &key) <= 0) {
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

static inline unsigned long maillink_XN_FLAG_RFC2253(void) { return XN_FLAG_RFC2253; }

/// BIO macros for the socket BIO that MailTransport implements in Swift (it sends with
/// MSG_NOSIGNAL, which OpenSSL's own socket BIO does not).
static inline void maillink_BIO_set_retry_read(BIO *bio) { BIO_set_retry_read(bio); }
static inline void maillink_BIO_set_retry_write(BIO *bio) { BIO_set_retry_write(bio); }
static inline void maillink_BIO_clear_retry_flags(BIO *bio) { BIO_clear_retry_flags(bio); }
static inline int maillink_BIO_CTRL_FLUSH(void) { return BIO_CTRL_FLUSH; }
static inline int maillink_BIO_TYPE_SOURCE_SINK(void) { return BIO_TYPE_SOURCE_SINK; }

/// SSL_CTX_set_read_ahead is a macro over SSL_CTX_ctrl.
static inline void maillink_SSL_CTX_set_read_ahead(SSL_CTX *ctx, int yes) { SSL_CTX_set_read_ahead(ctx, yes); }

/// The subjectAltName DNS names and IP addresses of a certificate (RFC 5280 §4.2.1.6), one per
/// line, written to `bio` (an address as `ip:` and its bytes in hex). GENERAL_NAME's stack
/// accessors are macros. No system header beyond OpenSSL's own is included: the module would
/// otherwise take over declarations (sockaddr, IPPROTO_TCP) that Swift code gets from Glibc.
static inline void maillink_write_alt_names(X509 *certificate, BIO *bio) {
    GENERAL_NAMES *names = X509_get_ext_d2i(certificate, NID_subject_alt_name, NULL, NULL);
    if (names == NULL) return;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        if (name->type == GEN_DNS) {
            BIO_write(bio, ASN1_STRING_get0_data(name->d.dNSName), ASN1_STRING_length(name->d.dNSName));
            BIO_write(bio, "\n", 1);
        } else if (name->type == GEN_IPADD) {
            /* "ip:" and the address bytes in hex; Swift formats them (inet_ntop). */
            int length = ASN1_STRING_length(name->d.iPAddress);
            const unsigned char *bytes = ASN1_STRING_get0_data(name->d.iPAddress);
            if (length == 4 || length == 16) {
                BIO_write(bio, "ip:", 3);
                for (int j = 0; j < length; j++) BIO_printf(bio, "%02x", bytes[j]);
                BIO_write(bio, "\n", 1);
            }
        }
    }
    GENERAL_NAMES_free(names);
}

/// The caIssuers URLs of a certificate's Authority Information Access extension (RFC 5280
/// §4.2.2.1): where its issuer's certificate is published. One per line, written to `bio`.
static inline void maillink_write_ca_issuers(X509 *certificate, BIO *bio) {
    AUTHORITY_INFO_ACCESS *access = X509_get_ext_d2i(certificate, NID_info_access, NULL, NULL);
    if (access == NULL) return;
    for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(access); i++) {
        const ACCESS_DESCRIPTION *description = sk_ACCESS_DESCRIPTION_value(access, i);
        if (OBJ_obj2nid(description->method) == NID_ad_ca_issuers && description->location->type == GEN_URI) {
            const ASN1_IA5STRING *uri = description->location->d.uniformResourceIdentifier;
            BIO_write(bio, ASN1_STRING_get0_data(uri), ASN1_STRING_length(uri));
            BIO_write(bio, "\n", 1);
        }
    }
    AUTHORITY_INFO_ACCESS_free(access);
}

#endif
