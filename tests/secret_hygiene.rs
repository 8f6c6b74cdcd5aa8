//! Secret hygiene: the whole lifecycle through the C ABI (called from Rust) with the C log
//! callback installed at the most verbose level (`KMIP_LOG_TRACE`, rustls's records included),
//! plus CLI runs, must never show a secret. The client key is password-protected (encrypted
//! PKCS#8); the secrets are every master key (registered, created on the server, rotated to),
//! every data key, the password (and a wrong one tried), and the client private key (its PEM
//! lines, encrypted and decrypted, and its private scalar). Each is looked for raw, as lower and
//! upper hex and as base64 (padded and not) in every captured log line, every error message
//! returned through the C ABI, the CLI's stdout and stderr, and the keystore file and its
//! neighbours (the keystore holds data keys only wrapped).
//!
//! Error paths included: a wrong password, an absent KMIP key, an absent data key name, a
//! tampered and a garbage keystore file.

mod support;

use std::ffi::{CStr, CString, c_char, c_void};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use base64ct::{Base64, Base64Unpadded, Encoding};
use kmip_keystore::ffi::client::{kmip_close, kmip_get_master_key, kmip_open};
use kmip_keystore::ffi::error::{kmip_error_code, kmip_error_free, kmip_error_message};
use kmip_keystore::ffi::keystore::{
    keystore, keystore_close, keystore_create, keystore_generate, keystore_open, keystore_unwrap,
};
use kmip_keystore::ffi::logging::kmip_set_log_callback;
use kmip_keystore::ffi::options::{kmip_options_free, kmip_options_new, kmip_options_set};
use kmip_keystore::ffi::rotate::kmip_rotate;
use kmip_keystore::ffi::status::{
    KMIP_ERR_CREDENTIALS, KMIP_ERR_KEY_ABSENT, KMIP_ERR_KEYSTORE_CORRUPT, KMIP_ERR_NOT_FOUND,
    KMIP_GET_CREATE_ON_SERVER, KMIP_KEY_ID_BUFFER_SIZE, KMIP_LOG_TRACE, KMIP_OK,
    KMIP_ROTATE_RETIRE_OLD,
};
use kmip_keystore::ffi::{kmip_client, kmip_error, kmip_options};
use support::kmip_server::KmipServer;

/// The client identity with an encrypted (PBES2, AES-256) PKCS#8 key; the test uses its key
/// re-encrypted with PBES2 parameters the FIPS module approves ([`identity`]), so that both builds
/// run the same lifecycle.
const CLIENT: &str = "client-enc-pkcs8-aes256";
/// Its password (scripts/pki.sh).
const PASSWORD: &str = "kmip-test-password";
/// A wrong password tried on the way.
const WRONG_PASSWORD: &str = "wrong-Pa55word-for-the-test";

/// Every log line the C callback received: (level, text).
static CAPTURED: Mutex<Vec<(u32, String)>> = Mutex::new(Vec::new());

/// The host's log callback: records the line.
unsafe extern "C" fn capture(_user_data: *mut c_void, level: u32, message: *const c_char) {
    // SAFETY: the library passes a NUL-terminated line valid during the call.
    let text = unsafe { CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned();
    CAPTURED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((level, text));
}

/// A C string.
fn c(text: &str) -> CString {
    CString::new(text).expect("no NUL")
}

/// A failed call: its status code and message.
#[derive(Debug)]
struct Failure {
    code: u32,
    message: String,
}

/// Turns a status and the error it stored into a result, keeping every message seen.
fn check(code: u32, error: *mut kmip_error, messages: &mut Vec<String>) -> Result<(), Failure> {
    if code == KMIP_OK {
        assert!(error.is_null(), "error_out written on success");
        return Ok(());
    }
    assert!(!error.is_null(), "no error object for status {code}");
    let mut buf = vec![0u8; 4096];
    let mut written = 0usize;
    // SAFETY: `error` is a live kmip_error; `buf` holds buf.len() bytes; `written` is writable.
    let rc = unsafe { kmip_error_message(error, buf.as_mut_ptr().cast(), buf.len(), &mut written) };
    assert_eq!(rc, KMIP_OK);
    // SAFETY: as above.
    assert_eq!(unsafe { kmip_error_code(error) }, code);
    // SAFETY: made by the library, freed once.
    unsafe { kmip_error_free(error) };
    let message = String::from_utf8_lossy(&buf[..written.saturating_sub(1)]).into_owned();
    messages.push(message.clone());
    Err(Failure { code, message })
}

/// The password-protected identity both builds use: `CLIENT`'s certificate chain and its key
/// encrypted with PBES2 under `PASSWORD` with a 16-byte salt (OpenSSL 3.0 writes 8 bytes, which the
/// FIPS build refuses): the identity file and the encrypted key's PEM.
fn identity(pki: &Path) -> &'static (PathBuf, String) {
    static IDENTITY: OnceLock<(PathBuf, String)> = OnceLock::new();
    IDENTITY.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("secret-hygiene-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (decrypted_pem, _) = decrypted_private_key(pki);
        let plain = dir.join("plain-key.pem");
        std::fs::write(&plain, decrypted_pem).unwrap();
        let encrypted =
            support::pbes2::encrypted_pem(&plain, PASSWORD, support::pbes2::Pbes2::APPROVED);
        std::fs::remove_file(&plain).unwrap();
        let file = dir.join(format!("{CLIENT}.pem"));
        let certificates = support::pbes2::certificates_pem(&pki.join(format!("{CLIENT}.pem")));
        std::fs::write(&file, format!("{encrypted}{certificates}")).unwrap();
        (file, encrypted)
    })
}

/// Options for the shared server with the password-protected identity and `password`.
fn options(server: &KmipServer, password: &str, messages: &mut Vec<String>) -> *mut kmip_options {
    let mut options: *mut kmip_options = std::ptr::null_mut();
    // SAFETY: `options` is writable.
    assert_eq!(unsafe { kmip_options_new(&mut options) }, KMIP_OK);
    let pki = server.pki();
    for (name, value) in [
        ("serverName", server.address()),
        ("serverCAFile", pki.join("ca.pem").display().to_string()),
        (
            "clientCertificateFile",
            identity(pki).0.display().to_string(),
        ),
        ("clientCertificatePassword", password.to_owned()),
        ("connectTimeoutMS", "5000".to_owned()),
    ] {
        let (name, value) = (c(name), c(&value));
        let mut error: *mut kmip_error = std::ptr::null_mut();
        // SAFETY: live options, NUL-terminated strings, writable error_out.
        let code = unsafe { kmip_options_set(options, name.as_ptr(), value.as_ptr(), &mut error) };
        check(code, error, messages).expect("set option");
    }
    options
}

/// Opens a client.
fn open(
    options: *mut kmip_options,
    messages: &mut Vec<String>,
) -> Result<*mut kmip_client, Failure> {
    let mut client: *mut kmip_client = std::ptr::null_mut();
    let mut error: *mut kmip_error = std::ptr::null_mut();
    // SAFETY: live options, writable out-parameters.
    let code = unsafe { kmip_open(options, &mut client, &mut error) };
    check(code, error, messages).map(|()| client)
}

/// `kmip_get_master_key`: (key, identifier).
fn get_master_key(
    client: *mut kmip_client,
    id: Option<&str>,
    flags: u32,
    messages: &mut Vec<String>,
) -> Result<([u8; 32], String), Failure> {
    let id = id.map(c);
    let mut key = [0u8; 32];
    let mut id_out = vec![0u8; KMIP_KEY_ID_BUFFER_SIZE];
    let (mut id_len, mut state) = (0usize, 0u32);
    let mut error: *mut kmip_error = std::ptr::null_mut();
    // SAFETY: live client; NULL or NUL-terminated id; buffers of the sizes given.
    let code = unsafe {
        kmip_get_master_key(
            client,
            id.as_ref().map_or(std::ptr::null(), |id| id.as_ptr()),
            flags,
            key.as_mut_ptr(),
            key.len(),
            id_out.as_mut_ptr().cast(),
            id_out.len(),
            &mut id_len,
            &mut state,
            &mut error,
        )
    };
    check(code, error, messages)?;
    Ok((
        key,
        String::from_utf8(id_out[..id_len - 1].to_vec()).expect("UTF-8 id"),
    ))
}

/// `keystore_create` under the KMIP key `id`.
fn create_keystore(
    client: *mut kmip_client,
    path: &Path,
    id: &str,
    messages: &mut Vec<String>,
) -> *mut keystore {
    let (path, id) = (c(path.to_str().unwrap()), c(id));
    let mut handle: *mut keystore = std::ptr::null_mut();
    let mut error: *mut kmip_error = std::ptr::null_mut();
    // SAFETY: live client, NUL-terminated strings, writable out-parameters; id_out NULL with 0.
    let code = unsafe {
        keystore_create(
            client,
            path.as_ptr(),
            id.as_ptr(),
            std::ptr::null(),
            &mut handle,
            std::ptr::null_mut(),
            0,
            std::ptr::null_mut(),
            &mut error,
        )
    };
    check(code, error, messages).expect("keystore_create");
    handle
}

/// `keystore_open`.
fn open_keystore(
    client: *mut kmip_client,
    path: &Path,
    master_key_id: &str,
    messages: &mut Vec<String>,
) -> Result<*mut keystore, Failure> {
    let path = c(path.to_str().unwrap());
    let id = c(master_key_id);
    let mut handle: *mut keystore = std::ptr::null_mut();
    let mut error: *mut kmip_error = std::ptr::null_mut();
    // SAFETY: live client, NUL-terminated path and id, writable out-parameters.
    let code = unsafe {
        keystore_open(
            client,
            path.as_ptr(),
            id.as_ptr(),
            std::ptr::null(),
            &mut handle,
            &mut error,
        )
    };
    check(code, error, messages).map(|()| handle)
}

/// `keystore_generate` (`generate`) or `keystore_unwrap` of `name`.
fn data_key(
    ks: *mut keystore,
    name: &str,
    generate: bool,
    messages: &mut Vec<String>,
) -> Result<[u8; 32], Failure> {
    let name = c(name);
    let mut key = [0u8; 32];
    let mut error: *mut kmip_error = std::ptr::null_mut();
    // SAFETY: live keystore, NUL-terminated name, 32 writable bytes, writable error_out.
    let code = unsafe {
        if generate {
            keystore_generate(ks, name.as_ptr(), key.as_mut_ptr(), 32, &mut error)
        } else {
            keystore_unwrap(ks, name.as_ptr(), key.as_mut_ptr(), 32, &mut error)
        }
    };
    check(code, error, messages).map(|()| key)
}

/// `kmip_rotate` to a new key; returns its identifier.
fn rotate(
    client: *mut kmip_client,
    path: &Path,
    master_key_id: &str,
    messages: &mut Vec<String>,
) -> String {
    let path = c(path.to_str().unwrap());
    let id = c(master_key_id);
    let mut id_out = vec![0u8; KMIP_KEY_ID_BUFFER_SIZE];
    let mut id_len = 0usize;
    let mut error: *mut kmip_error = std::ptr::null_mut();
    // SAFETY: live client, NUL-terminated path, buffers of the sizes given.
    let code = unsafe {
        kmip_rotate(
            client,
            path.as_ptr(),
            id.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            KMIP_ROTATE_RETIRE_OLD,
            id_out.as_mut_ptr().cast(),
            id_out.len(),
            &mut id_len,
            &mut error,
        )
    };
    check(code, error, messages).expect("kmip_rotate");
    String::from_utf8(id_out[..id_len - 1].to_vec()).expect("UTF-8 id")
}

/// A secret and the forms it must never appear in.
struct Secret {
    /// What it is, for the failure message (never the value).
    what: String,
    /// Raw bytes, hex (lower, upper), base64 (padded, unpadded), or the text itself.
    forms: Vec<Vec<u8>>,
}

impl Secret {
    /// Binary secret bytes in every form.
    fn bytes(what: impl Into<String>, bytes: &[u8]) -> Self {
        let hex = hex::encode(bytes);
        let mut buffer = vec![0u8; bytes.len() * 4 / 3 + 4];
        let padded = Base64::encode(bytes, &mut buffer)
            .expect("base64")
            .to_owned();
        let unpadded = Base64Unpadded::encode(bytes, &mut buffer)
            .expect("base64")
            .to_owned();
        Self {
            what: what.into(),
            forms: vec![
                bytes.to_vec(),
                hex.clone().into_bytes(),
                hex.to_ascii_uppercase().into_bytes(),
                padded.into_bytes(),
                unpadded.into_bytes(),
            ],
        }
    }

    /// A text secret (password, PEM line) as written.
    fn text(what: impl Into<String>, text: &str) -> Self {
        Self {
            what: what.into(),
            forms: vec![text.as_bytes().to_vec()],
        }
    }
}

/// The first secret (with the index of its form) found in `haystack`, if any.
fn find_secret<'a>(secrets: &'a [Secret], haystack: &[u8]) -> Option<(&'a str, usize)> {
    secrets.iter().find_map(|secret| {
        secret
            .forms
            .iter()
            .position(|form| {
                haystack
                    .windows(form.len())
                    .any(|window| window == &form[..])
            })
            .map(|index| (secret.what.as_str(), index))
    })
}

/// Fails when any form of any secret occurs in `haystack` (named `place`).
fn assert_clean(secrets: &[Secret], place: &str, haystack: &[u8]) {
    if let Some((what, form)) = find_secret(secrets, haystack) {
        panic!("{what} (form {form}) appears in {place}");
    }
}

/// The base64 lines of a PEM file's body.
fn pem_body_lines(pem: &str) -> Vec<String> {
    pem.lines()
        .filter(|line| !line.starts_with("-----") && !line.contains(':') && line.len() >= 16)
        .map(str::to_owned)
        .collect()
}

/// The client private key decrypted (by openssl): its PEM and its DER.
fn decrypted_private_key(pki: &Path) -> (String, Vec<u8>) {
    let run = |format: &str| {
        let output = Command::new("openssl")
            .args(["pkey", "-passin"])
            .arg(format!("file:{}", pki.join("password.txt").display()))
            .arg("-in")
            .arg(pki.join(format!("{CLIENT}-key.pem")))
            .args(["-outform", format])
            .output()
            .expect("run openssl pkey");
        assert!(output.status.success(), "openssl pkey failed");
        output.stdout
    };
    (String::from_utf8(run("PEM")).expect("PEM text"), run("DER"))
}

/// The 32-byte private scalar of a PKCS#8 P-256 key (after `02 01 01 04 20` in ECPrivateKey).
fn ec_private_scalar(der: &[u8]) -> Vec<u8> {
    let marker = [0x02, 0x01, 0x01, 0x04, 0x20];
    let at = der
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("ECPrivateKey privateKey field");
    der[at + marker.len()..at + marker.len() + 32].to_vec()
}

/// The KMIP flags of the shared server with the password-protected identity and `password`.
fn cli_flags(server: &KmipServer, password: &str) -> Vec<String> {
    let pki = server.pki();
    vec![
        "--kmipServerName".into(),
        server.address(),
        "--kmipServerCAFile".into(),
        pki.join("ca.pem").display().to_string(),
        "--kmipClientCertificateFile".into(),
        identity(pki).0.display().to_string(),
        "--kmipClientCertificatePassword".into(),
        password.into(),
    ]
}

/// Runs the CLI with `args` and the flags; returns (exit code, stdout + stderr).
fn cli(args: &[&str], flags: &[String]) -> (Option<i32>, Vec<u8>) {
    let output = support::cli::run(
        &args
            .iter()
            .map(|a| a.to_string())
            .chain(flags.iter().cloned())
            .collect::<Vec<_>>(),
    );
    let mut all = output.stdout.clone();
    all.extend_from_slice(&output.stderr);
    (output.status.code(), all)
}

/// Every file in `dir`, with its bytes.
fn files_in(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_file())
        .map(|path| {
            let bytes = std::fs::read(&path).expect("read file");
            (path, bytes)
        })
        .collect()
}

#[test]
fn the_whole_lifecycle_shows_no_secret_anywhere() {
    let server = KmipServer::shared();
    let pki = server.pki().to_path_buf();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("keys.ks");
    let mut messages: Vec<String> = Vec::new();
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut master_keys: Vec<(String, [u8; 32])> = Vec::new();
    let mut data_keys: Vec<(String, [u8; 32])> = Vec::new();

    assert_eq!(
        kmip_set_log_callback(Some(capture), std::ptr::null_mut(), KMIP_LOG_TRACE),
        KMIP_OK
    );

    // A wrong password first: a credentials error, which must not echo it.
    let wrong = options(server, WRONG_PASSWORD, &mut messages);
    let failure = open(wrong, &mut messages).expect_err("a wrong password must fail");
    assert_eq!(failure.code, KMIP_ERR_CREDENTIALS, "{}", failure.message);
    // SAFETY: made by kmip_options_new, freed once.
    unsafe { kmip_options_free(wrong) };

    let opts = options(server, PASSWORD, &mut messages);
    let client = open(opts, &mut messages).expect("open with the right password");
    // SAFETY: freed once; the client keeps its own copy.
    unsafe { kmip_options_free(opts) };

    // Master keys: registered from here, fetched back, created on the server.
    let (registered, id) = get_master_key(client, None, 0, &mut messages).expect("create key");
    let (fetched, same_id) = get_master_key(client, Some(&id), 0, &mut messages).expect("get key");
    assert_eq!((fetched, &same_id), (registered, &id));
    master_keys.push((format!("master key {id}"), registered));
    let (on_server, server_id) =
        get_master_key(client, None, KMIP_GET_CREATE_ON_SERVER, &mut messages).expect("Create");
    master_keys.push((format!("server-created master key {server_id}"), on_server));
    let failure = get_master_key(client, Some("999999"), 0, &mut messages)
        .expect_err("an absent key must fail");
    assert_eq!(failure.code, KMIP_ERR_KEY_ABSENT, "{}", failure.message);

    // A keystore under the registered key, with data keys.
    let ks = create_keystore(client, &store, &id, &mut messages);
    for name in ["/default", "db1", "db2"] {
        let key = data_key(ks, name, true, &mut messages).expect("generate");
        assert_eq!(
            data_key(ks, name, false, &mut messages).expect("unwrap"),
            key
        );
        data_keys.push((format!("data key {name}"), key));
    }
    let failure = data_key(ks, "no-such-db", false, &mut messages).expect_err("absent name");
    assert_eq!(failure.code, KMIP_ERR_NOT_FOUND, "{}", failure.message);
    // SAFETY: a live handle, closed once.
    unsafe { keystore_close(ks) };

    // Reopen, rotate to a new master key (retiring the old one), reopen again.
    let ks = open_keystore(client, &store, &id, &mut messages).expect("reopen");
    for (name, key) in &data_keys {
        let name = name.trim_start_matches("data key ");
        assert_eq!(&data_key(ks, name, false, &mut messages).unwrap(), key);
    }
    // SAFETY: as above.
    unsafe { keystore_close(ks) };
    let new_id = rotate(client, &store, &id, &mut messages);
    let (rotated, _) = get_master_key(client, Some(&new_id), 0, &mut messages).expect("new key");
    master_keys.push((format!("rotated-to master key {new_id}"), rotated));
    let ks = open_keystore(client, &store, &new_id, &mut messages).expect("open after rotation");
    for (name, key) in &data_keys {
        let name = name.trim_start_matches("data key ");
        assert_eq!(&data_key(ks, name, false, &mut messages).unwrap(), key);
    }
    // SAFETY: as above.
    unsafe { keystore_close(ks) };

    // Damaged keystore files.
    let mut tampered = std::fs::read(&store).unwrap();
    let last = tampered.len() - 5;
    tampered[last] ^= 0x40;
    let tampered_path = dir.path().join("tampered.ks");
    std::fs::write(&tampered_path, &tampered).unwrap();
    let failure =
        open_keystore(client, &tampered_path, &new_id, &mut messages).expect_err("tampered");
    assert_eq!(
        failure.code, KMIP_ERR_KEYSTORE_CORRUPT,
        "{}",
        failure.message
    );
    let garbage_path = dir.path().join("garbage.ks");
    std::fs::write(
        &garbage_path,
        b"KMIPKS\0\0 this is not a keystore at all ...",
    )
    .unwrap();
    let failure =
        open_keystore(client, &garbage_path, &new_id, &mut messages).expect_err("garbage");
    eprintln!("garbage keystore: {failure:?}");
    // SAFETY: a live client, closed once.
    unsafe { kmip_close(client) };

    // The CLI on the same keystore and keys, with the password on its command line.
    let flags = cli_flags(server, PASSWORD);
    let store_text = store.to_str().unwrap();
    let key_out = dir.path().join("out");
    std::fs::create_dir(&key_out).unwrap();
    let out = |name: &str| key_out.join(name).display().to_string();
    let expect = ["--kmipKeyIdentifier", new_id.as_str()];
    for (args, expected) in [
        (
            [&["keystore", "list", store_text][..], &expect].concat(),
            Some(0),
        ),
        (
            [&["keystore", "info", store_text][..], &expect].concat(),
            Some(0),
        ),
        (
            [&["keystore", "verify", store_text][..], &expect].concat(),
            Some(0),
        ),
        (
            [
                &[
                    "keystore",
                    "unwrap",
                    store_text,
                    "db1",
                    "--out",
                    &out("db1"),
                ][..],
                &expect,
            ]
            .concat(),
            Some(0),
        ),
        (
            [
                &[
                    "keystore",
                    "unwrap",
                    store_text,
                    "nope",
                    "--out",
                    &out("nope"),
                ][..],
                &expect,
            ]
            .concat(),
            Some(16),
        ),
        (
            vec!["key", "get", &new_id, "--out", &out("master")],
            Some(0),
        ),
        (vec!["key", "state", &id], Some(0)),
        (vec!["check", "--kmipKeyIdentifier", &new_id], Some(0)),
        (
            [
                &["keystore", "list", tampered_path.to_str().unwrap()][..],
                &expect,
            ]
            .concat(),
            Some(14),
        ),
    ] {
        let (code, text) = cli(&args, &flags);
        assert_eq!(
            code,
            expected,
            "{args:?}: {}",
            String::from_utf8_lossy(&text)
        );
        outputs.push((format!("CLI {args:?}"), text));
    }
    let (code, text) = cli(&["key", "state", &id], &cli_flags(server, WRONG_PASSWORD));
    assert_eq!(code, Some(4), "{}", String::from_utf8_lossy(&text));
    outputs.push(("CLI with a wrong password".into(), text));
    // The CLI really wrote the keys it was asked for (so the files are excluded below, and the
    // runs above had the secrets in hand).
    assert_eq!(std::fs::read(key_out.join("db1")).unwrap(), data_keys[1].1);

    // Stop capturing before reading what was captured.
    assert_eq!(
        kmip_set_log_callback(None, std::ptr::null_mut(), 0),
        KMIP_OK
    );

    // The secrets.
    let mut secrets: Vec<Secret> = Vec::new();
    for (what, key) in master_keys.iter().chain(&data_keys) {
        secrets.push(Secret::bytes(what.clone(), key));
    }
    secrets.push(Secret::text("the password", PASSWORD));
    secrets.push(Secret::text("the wrong password", WRONG_PASSWORD));
    let original_pem = std::fs::read_to_string(pki.join(format!("{CLIENT}-key.pem"))).unwrap();
    let encrypted_pem = format!("{original_pem}{}", identity(&pki).1);
    let (decrypted_pem, der) = decrypted_private_key(&pki);
    for (index, line) in pem_body_lines(&encrypted_pem).iter().enumerate() {
        secrets.push(Secret::text(
            format!("encrypted private key PEM line {index}"),
            line,
        ));
    }
    for (index, line) in pem_body_lines(&decrypted_pem).iter().enumerate() {
        secrets.push(Secret::text(format!("private key PEM line {index}"), line));
    }
    secrets.push(Secret::bytes("private key DER", &der));
    secrets.push(Secret::bytes(
        "private key scalar",
        &ec_private_scalar(&der),
    ));
    assert!(secrets.len() >= 16, "{} secrets", secrets.len());

    // The log: non-trivial, from every level down to trace, with the events of the run.
    let captured = CAPTURED.lock().unwrap().clone();
    eprintln!("captured {} log lines", captured.len());
    // One TLS handshake (the pooled connection is reused) gives about 20 lines.
    assert!(
        captured.len() >= 15,
        "only {} log lines captured",
        captured.len()
    );
    for level in [3, 4, 5] {
        assert!(
            captured.iter().any(|(l, _)| *l == level),
            "no log line at level {level}"
        );
    }
    let joined: String = captured
        .iter()
        .map(|(_, line)| format!("{line}\n"))
        .collect();
    for event in [
        "TLS policy: minimum TLS 1.2".to_owned(),
        "Sending ClientHello".to_owned(),
        format!("new master key '{id}'"),
        format!("master key rotated from kmip:{id} to kmip:{new_id}"),
    ] {
        assert!(joined.contains(&event), "no log line about {event:?}");
    }
    for (index, (_, line)) in captured.iter().enumerate() {
        assert_clean(&secrets, &format!("log line {index}"), line.as_bytes());
    }

    // Error messages returned through the C ABI (one per error path above).
    assert_eq!(messages.len(), 5, "{messages:?}");
    for (index, message) in messages.iter().enumerate() {
        assert_clean(
            &secrets,
            &format!("error message {index} ({message:?})"),
            message.as_bytes(),
        );
    }

    // CLI output.
    for (what, text) in &outputs {
        assert_clean(&secrets, what, text);
    }

    // The keystore file and its neighbours (lock, journal, the damaged copies): only the key
    // files the CLI was asked to write hold a key.
    let files = files_in(dir.path());
    assert!(files.iter().any(|(path, _)| path == &store));
    for (path, bytes) in &files {
        assert_clean(&secrets, &path.display().to_string(), bytes);
    }
    // The check can fail: a secret placed in a haystack is found.
    let planted = [b"prefix ".as_slice(), &data_keys[0].1, b" suffix"].concat();
    assert_eq!(
        find_secret(&secrets, &planted),
        Some(("data key /default", 0)),
        "a planted data key must be found"
    );
    let planted = format!("key {}", hex::encode_upper(master_keys[0].1));
    assert!(
        find_secret(&secrets, planted.as_bytes()).is_some(),
        "a planted master key in upper-case hex must be found"
    );
}
