// WT_ENCRYPTOR over kmip_keystore data-key handles (see wt_encryptor.h).
//
// WiredTiger calls customize once per (encryptor, keyid) on a connection and keeps the encryptor
// it returns; we return one holding that keyid's data-key handle. Encrypt and decrypt are one
// library call each (AES-256-GCM, the keyid as associated data, so a page only decrypts under
// the key and the name it was written with); sizing is the library's fixed overhead; terminate
// frees the handle (the library wipes the key). Every failure is reported through WiredTiger's
// error stream and returned as an error code: a page that does not authenticate is an error,
// never different data.

#include "wt_encryptor.h"

#include <wiredtiger_ext.h>

#include <cerrno>
#include <new>
#include <string>

namespace {

struct KmipEncryptor : WT_ENCRYPTOR {
    WT_EXTENSION_API *wt_api = nullptr;
    keystore *ks = nullptr;             // resolves keyids (customize)
    kmip_data_key *key = nullptr;       // set on the encryptors customize returns
    std::string keyid;                  // the data key's name, also the associated data
};

KmipEncryptor *self(WT_ENCRYPTOR *encryptor) { return static_cast<KmipEncryptor *>(encryptor); }

// Reports a failed library call (its message, the error freed) and returns `code`.
int report(KmipEncryptor *e, WT_SESSION *session, const char *what, uint32_t status, kmip_error *error,
           int code) {
    std::string text = kmip_status_str(status);
    size_t needed = 0;
    if (error != nullptr && kmip_error_message(error, nullptr, 0, &needed) == KMIP_ERR_BUFFER_TOO_SMALL) {
        std::string message(needed, '\0');
        if (kmip_error_message(error, message.data(), message.size(), &needed) == KMIP_OK) {
            text += ": " + std::string(message.c_str());
        }
    }
    kmip_error_free(error);
    e->wt_api->err_printf(e->wt_api, session, "kmip encryptor: %s (key '%s'): %s", what, e->keyid.c_str(),
                          text.c_str());
    return code;
}

const uint8_t *aad(const KmipEncryptor *e) { return reinterpret_cast<const uint8_t *>(e->keyid.data()); }

int encrypt(WT_ENCRYPTOR *encryptor, WT_SESSION *session, uint8_t *src, size_t src_len, uint8_t *dst,
            size_t dst_len, size_t *result_lenp) {
    KmipEncryptor *e = self(encryptor);
    kmip_error *error = nullptr;
    uint32_t status = kmip_data_key_encrypt(e->key, aad(e), e->keyid.size(), src, src_len, dst, dst_len,
                                            result_lenp, &error);
    return status == KMIP_OK ? 0 : report(e, session, "encryption failed", status, error, WT_ERROR);
}

int decrypt(WT_ENCRYPTOR *encryptor, WT_SESSION *session, uint8_t *src, size_t src_len, uint8_t *dst,
            size_t dst_len, size_t *result_lenp) {
    KmipEncryptor *e = self(encryptor);
    kmip_error *error = nullptr;
    uint32_t status = kmip_data_key_decrypt(e->key, aad(e), e->keyid.size(), src, src_len, dst, dst_len,
                                            result_lenp, &error);
    return status == KMIP_OK ? 0 : report(e, session, "decryption failed", status, error, EIO);
}

int sizing(WT_ENCRYPTOR *, WT_SESSION *, size_t *expansion_constantp) {
    *expansion_constantp = kmip_data_key_overhead();
    return 0;
}

// The first use of a keyid: an encryptor holding that data key's handle (created if need be).
int customize(WT_ENCRYPTOR *encryptor, WT_SESSION *session, WT_CONFIG_ARG *encrypt_config,
              WT_ENCRYPTOR **customp) {
    KmipEncryptor *base = self(encryptor);
    WT_CONFIG_ITEM item;
    int ret = base->wt_api->config_get(base->wt_api, session, encrypt_config, "keyid", &item);
    if (ret != 0 || item.len == 0) {
        base->wt_api->err_printf(base->wt_api, session, "kmip encryptor: encryption=(keyid=...) is required");
        return ret != 0 ? ret : EINVAL;
    }
    auto *custom = new (std::nothrow) KmipEncryptor(*base);
    if (custom == nullptr) {
        return ENOMEM;
    }
    custom->keyid.assign(item.str, item.len);
    kmip_error *error = nullptr;
    uint32_t status = keystore_data_key_open(base->ks, custom->keyid.c_str(), KMIP_DATA_KEY_CREATE, &custom->key,
                                             &error);
    if (status != KMIP_OK) {
        ret = report(custom, session, "cannot open the data key", status, error, WT_ERROR);
        delete custom;
        return ret;
    }
    *customp = custom;
    return 0;
}

int terminate(WT_ENCRYPTOR *encryptor, WT_SESSION *) {
    KmipEncryptor *e = self(encryptor);
    kmip_data_key_free(e->key);
    delete e;
    return 0;
}

}  // namespace

int kmip_wt_add_encryptor(WT_CONNECTION *connection, keystore *ks, const char *name) {
    if (ks == nullptr) {
        return EINVAL;
    }
    auto *e = new (std::nothrow) KmipEncryptor();
    if (e == nullptr) {
        return ENOMEM;
    }
    e->encrypt = encrypt;
    e->decrypt = decrypt;
    e->sizing = sizing;
    e->customize = customize;
    e->terminate = terminate;
    e->wt_api = connection->get_extension_api(connection);
    e->ks = ks;
    int ret = connection->add_encryptor(connection, name, e, nullptr);
    if (ret != 0) {
        delete e;
    }
    return ret;
}
