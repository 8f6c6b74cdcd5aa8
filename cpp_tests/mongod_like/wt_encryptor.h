// A WiredTiger encryptor whose keys are kmip_keystore data keys: each WiredTiger `keyid` names
// a data key of one keystore, and pages are encrypted and decrypted by the library through a
// data-key handle (kmip_data_key_*), so the host never holds key bytes. Meant to be lifted into
// a database server as is; it has no crypto and no key handling of its own.
//
// Use: from a WiredTiger extension entry function (for connection-level encryption it must be
// loaded early: wiredtiger_open config `extensions=[local=(entry=FN,early_load=true)]`), call
// kmip_wt_add_encryptor(connection, ks, "kmip"); then configure
// `encryption=(name=kmip,keyid=KEYID)` on the connection (WiredTiger's metadata and log) and on
// each table. The keystore must stay open until the connection is closed.
#pragma once

#include <kmip_keystore.h>
#include <wiredtiger.h>

// Registers an encryptor named `name` with `connection`. On the first use of a keyid
// (WT_ENCRYPTOR::customize), the data key of that name is opened in `ks`, and generated (a
// durable keystore write) when it does not exist yet. Returns 0 or a WiredTiger error code.
int kmip_wt_add_encryptor(WT_CONNECTION *connection, keystore *ks, const char *name);
