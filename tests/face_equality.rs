//! The same answer from both faces: for every error class, one condition is driven through the C
//! ABI and through the CLI, and both must give the same number, the class's (`ErrorClass`): the
//! core classifies once, the faces only give the number out. Runs against the shared PyKMIP
//! server, local fakes (a closed port, a TLS server that never answers or echoes the request)
//! and keystore files made for each keystore class.

mod support;

use std::ffi::{CString, c_char};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use kmip_keystore::ErrorClass;
use kmip_keystore::config::option_spec;
use kmip_keystore::ffi::client::{kmip_close, kmip_get_master_key, kmip_key_state, kmip_open};
use kmip_keystore::ffi::error::kmip_error_free;
use kmip_keystore::ffi::keystore::{keystore, keystore_close, keystore_create, keystore_open};
use kmip_keystore::ffi::options::{kmip_options_free, kmip_options_new, kmip_options_set};
use kmip_keystore::ffi::status::{KMIP_GET_CREATE_ON_SERVER, KMIP_KEY_ID_BUFFER_SIZE, KMIP_OK};
use kmip_keystore::ffi::{kmip_client, kmip_error, kmip_options};
use support::cli::run;
use support::kmip_server::KmipServer;

fn c(text: &str) -> CString {
    CString::new(text).expect("no NUL")
}

/// Frees an error object, if any.
fn free(error: *mut kmip_error) {
    // SAFETY: NULL or made by the library, freed once.
    unsafe { kmip_error_free(error) };
}

/// KMIP options by their mongod names: what both faces are given.
#[derive(Clone)]
struct Setting(Vec<(&'static str, String)>);

impl Setting {
    /// The shared PyKMIP server with the main client identity (or `identity`).
    fn pykmip(identity: &str) -> Self {
        let server = KmipServer::shared();
        let pki = server.pki();
        Self(vec![
            ("serverName", server.address()),
            ("serverCAFile", pki.join("ca.pem").display().to_string()),
            (
                "clientCertificateFile",
                pki.join(format!("{identity}.pem")).display().to_string(),
            ),
            ("connectTimeoutMS", "1000".into()),
        ])
    }

    /// The same, with `name` set to `value` (or removed when `value` is `None`).
    fn with(&self, name: &'static str, value: Option<&str>) -> Self {
        let mut options: Vec<_> = self.0.iter().filter(|(n, _)| *n != name).cloned().collect();
        if let Some(value) = value {
            options.push((name, value.to_owned()));
        }
        Self(options)
    }

    /// The CLI's flags for these options (their flags come from the core's option table).
    fn flags(&self) -> Vec<String> {
        self.0
            .iter()
            .flat_map(|(name, value)| {
                let spec = option_spec(name).expect("a known option");
                [format!("--{}", spec.flag), value.clone()]
            })
            .collect()
    }

    /// `kmip_open` with these options: the client, or the status.
    fn open(&self) -> Result<*mut kmip_client, u32> {
        let mut options: *mut kmip_options = std::ptr::null_mut();
        // SAFETY: `options` is writable.
        assert_eq!(unsafe { kmip_options_new(&mut options) }, KMIP_OK);
        for (name, value) in &self.0 {
            let (name, value) = (c(name), c(value));
            let mut error = std::ptr::null_mut();
            // SAFETY: live options, NUL-terminated strings, writable error_out.
            let code =
                unsafe { kmip_options_set(options, name.as_ptr(), value.as_ptr(), &mut error) };
            free(error);
            if code != KMIP_OK {
                // SAFETY: made by kmip_options_new, freed once.
                unsafe { kmip_options_free(options) };
                return Err(code);
            }
        }
        let mut client = std::ptr::null_mut();
        let mut error = std::ptr::null_mut();
        // SAFETY: live options; writable out-parameters.
        let code = unsafe { kmip_open(options, &mut client, &mut error) };
        free(error);
        // SAFETY: made by kmip_options_new, freed once.
        unsafe { kmip_options_free(options) };
        if code == KMIP_OK {
            Ok(client)
        } else {
            Err(code)
        }
    }

    /// `kmip_key_state(id)` through a client opened with these options.
    fn key_state(&self, id: &str) -> u32 {
        let client = match self.open() {
            Ok(client) => client,
            Err(code) => return code,
        };
        let id = c(id);
        let mut state = 0u32;
        let mut error = std::ptr::null_mut();
        // SAFETY: live client, NUL-terminated id, writable out-parameters.
        let code = unsafe { kmip_key_state(client, id.as_ptr(), &mut state, &mut error) };
        free(error);
        // SAFETY: a live client, closed once.
        unsafe { kmip_close(client) };
        code
    }
}

/// The CLI's exit code for `args`.
fn cli(args: &[String]) -> u32 {
    let output = run(args);
    output.status.code().expect("exited") as u32
}

/// `args` (strings) then `more`.
fn args(args: &[&str], more: &[String]) -> Vec<String> {
    args.iter()
        .map(|a| a.to_string())
        .chain(more.iter().cloned())
        .collect()
}

/// `keystore_open(client, path, master_key_id, master_key_file)`, closing the handle on success.
fn c_keystore_open(
    client: *const kmip_client,
    path: &Path,
    master_key_id: Option<&str>,
    master_key_file: Option<&Path>,
) -> u32 {
    let path = c(path.to_str().unwrap());
    let id = master_key_id.map(c);
    let file = master_key_file.map(|f| c(f.to_str().unwrap()));
    let ptr = |s: &Option<CString>| s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
    let mut handle: *mut keystore = std::ptr::null_mut();
    let mut error = std::ptr::null_mut();
    // SAFETY: NULL or live client; NUL-terminated strings or NULL; writable out-parameters.
    let code = unsafe {
        keystore_open(
            client,
            path.as_ptr(),
            ptr(&id),
            ptr(&file),
            &mut handle,
            &mut error,
        )
    };
    free(error);
    // SAFETY: NULL or a live handle, closed once.
    unsafe { keystore_close(handle) };
    code
}

/// `keystore_create` under `master_key_id` (with `client`) or `master_key_file`.
fn c_keystore_create(
    client: *const kmip_client,
    path: &Path,
    master_key_id: Option<&str>,
    master_key_file: Option<&Path>,
) -> u32 {
    let path = c(path.to_str().unwrap());
    let id = master_key_id.map(c);
    let file = master_key_file.map(|f| c(f.to_str().unwrap()));
    let ptr = |s: &Option<CString>| s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
    let mut handle: *mut keystore = std::ptr::null_mut();
    let mut error = std::ptr::null_mut();
    // SAFETY: as for c_keystore_open; no identifier buffer (NULL, 0).
    let code = unsafe {
        keystore_create(
            client,
            path.as_ptr(),
            ptr(&id),
            ptr(&file),
            &mut handle,
            std::ptr::null_mut(),
            0,
            std::ptr::null_mut(),
            &mut error,
        )
    };
    free(error);
    // SAFETY: NULL or a live handle, closed once.
    unsafe { keystore_close(handle) };
    code
}

/// A new KMIP master key made through the C ABI; its identifier.
fn new_kmip_key(setting: &Setting) -> String {
    let client = setting.open().expect("open");
    let mut key = [0u8; 32];
    let mut id = vec![0u8; KMIP_KEY_ID_BUFFER_SIZE];
    let (mut id_len, mut state) = (0usize, 0u32);
    let mut error = std::ptr::null_mut();
    // SAFETY: live client; buffers of the sizes given; writable out-parameters.
    let code = unsafe {
        kmip_get_master_key(
            client,
            std::ptr::null(),
            KMIP_GET_CREATE_ON_SERVER,
            key.as_mut_ptr(),
            key.len(),
            id.as_mut_ptr().cast::<c_char>(),
            id.len(),
            &mut id_len,
            &mut state,
            &mut error,
        )
    };
    free(error);
    // SAFETY: a live client, closed once.
    unsafe { kmip_close(client) };
    assert_eq!(code, KMIP_OK);
    String::from_utf8(id[..id_len - 1].to_vec()).unwrap()
}

/// A 32-byte key file of mode 0600.
fn key_file(dir: &Path, name: &str, byte: u8) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join(name);
    std::fs::write(&path, [byte; 32]).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A TLS server with the test PKI's server certificate that, after the handshake, reads one
/// request and then either never answers (`echo` false) or sends the request back (`echo`
/// true: a KMIP message, but not a response).
fn fake_tls_server(pki: &Path, echo: bool) -> String {
    use std::io::Write;
    let config = support::tls_server::test_server_config(pki);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    thread::spawn(move || {
        for socket in listener.incoming().flatten() {
            let config = config.clone();
            thread::spawn(move || {
                let Some(mut stream) = support::tls_server::handshake(config, socket) else {
                    return;
                };
                let Some((header, body)) = support::tls_server::read_request(&mut stream) else {
                    return;
                };
                if echo {
                    let _ = stream.write_all(&header);
                    let _ = stream.write_all(&body);
                    let _ = stream.flush();
                }
                thread::sleep(Duration::from_secs(10));
            });
        }
    });
    address
}

/// One condition, through both faces.
struct Case {
    what: &'static str,
    /// The class both faces must give, when the condition has one fixed class.
    expected: Option<ErrorClass>,
    c: u32,
    cli: u32,
}

#[test]
fn every_class_gets_the_same_number_from_the_c_abi_and_the_cli() {
    let server = KmipServer::shared();
    let pki = server.pki().to_path_buf();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let main = Setting::pykmip("client");
    let mut cases = Vec::new();
    let mut case = |what, expected, c, cli| {
        cases.push(Case {
            what,
            expected,
            c,
            cli,
        })
    };

    // Options and credentials.
    let mut options: *mut kmip_options = std::ptr::null_mut();
    // SAFETY: `options` is writable.
    assert_eq!(unsafe { kmip_options_new(&mut options) }, KMIP_OK);
    let (name, value) = (c("noSuchOption"), c("x"));
    let mut error = std::ptr::null_mut();
    // SAFETY: live options, NUL-terminated strings, writable error_out.
    let unknown = unsafe { kmip_options_set(options, name.as_ptr(), value.as_ptr(), &mut error) };
    free(error);
    // SAFETY: made by kmip_options_new, freed once.
    unsafe { kmip_options_free(options) };
    let cli_unknown = cli(&args(
        &["key", "state", "1", "--kmipNoSuchOption", "x"],
        &main.flags(),
    ));
    case(
        "an unknown option",
        Some(ErrorClass::InvalidArgument),
        unknown,
        cli_unknown,
    );
    let no_server = main.with("serverName", None);
    case(
        "no serverName",
        Some(ErrorClass::Config),
        no_server.open().map_or_else(|code| code, |_| KMIP_OK),
        cli(&args(&["key", "state", "1"], &no_server.flags())),
    );
    let encrypted = main
        .with(
            "clientCertificateFile",
            Some(pki.join("client-enc-pkcs8-aes256.pem").to_str().unwrap()),
        )
        .with("clientCertificatePassword", Some("not-the-password"));
    case(
        "a wrong key password",
        Some(ErrorClass::Credentials),
        encrypted.key_state("1"),
        cli(&args(&["key", "state", "1"], &encrypted.flags())),
    );

    // The network and the server.
    let closed = main.with("serverName", Some(&format!("127.0.0.1:{}", closed_port())));
    case(
        "nothing listening",
        Some(ErrorClass::Unreachable),
        closed.key_state("1"),
        cli(&args(&["key", "state", "1"], &closed.flags())),
    );
    let other_ca = main.with(
        "serverCAFile",
        Some(pki.join("other-ca.pem").to_str().unwrap()),
    );
    case(
        "a server of another CA",
        Some(ErrorClass::Tls),
        other_ca.key_state("1"),
        cli(&args(&["key", "state", "1"], &other_ca.flags())),
    );
    case(
        "an absent key",
        Some(ErrorClass::KeyAbsent),
        main.key_state("999999999"),
        cli(&args(&["key", "state", "999999999"], &main.flags())),
    );
    let second = Setting::pykmip("client-second");
    let theirs = new_kmip_key(&second);
    case(
        "another client's key",
        Some(ErrorClass::PermissionDenied),
        main.key_state(&theirs),
        cli(&args(&["key", "state", &theirs], &main.flags())),
    );
    let silent = main.with("serverName", Some(&fake_tls_server(&pki, false)));
    case(
        "a server that never answers",
        Some(ErrorClass::Timeout),
        silent.key_state("1"),
        cli(&args(&["key", "state", "1"], &silent.flags())),
    );
    let echo = main.with("serverName", Some(&fake_tls_server(&pki, true)));
    case(
        "a server that echoes the request",
        None,
        echo.key_state("1"),
        cli(&args(&["key", "state", "1"], &echo.flags())),
    );

    // A keystore under a KMIP key that is then revoked: the key's state.
    let client = main.open().expect("open");
    let revoked = new_kmip_key(&main);
    let kmip_ks = d.join("kmip.ks");
    assert_eq!(
        c_keystore_create(client, &kmip_ks, Some(&revoked), None),
        KMIP_OK
    );
    assert!(
        run(&args(&["key", "revoke", &revoked], &main.flags()))
            .status
            .success()
    );
    case(
        "a keystore under a revoked key",
        Some(ErrorClass::KeyState),
        c_keystore_open(client, &kmip_ks, Some(&revoked), None),
        cli(&args(
            &[
                "keystore",
                "list",
                kmip_ks.to_str().unwrap(),
                "--kmipKeyIdentifier",
                &revoked,
            ],
            &main.flags(),
        )),
    );
    // SAFETY: a live client, closed once.
    unsafe { kmip_close(client) };

    // Keystore files (key files: no server needed).
    let key = key_file(d, "master.key", 1);
    let other_key = key_file(d, "other.key", 2);
    let ks = d.join("keys.ks");
    assert_eq!(
        c_keystore_create(std::ptr::null(), &ks, None, Some(&key)),
        KMIP_OK
    );
    let list = |path: &Path, key: &Path| {
        cli(&args(
            &[
                "keystore",
                "list",
                path.to_str().unwrap(),
                "--master-key-file",
                key.to_str().unwrap(),
            ],
            &[],
        ))
    };
    case(
        "another key file",
        Some(ErrorClass::WrongMasterKey),
        c_keystore_open(std::ptr::null(), &ks, None, Some(&other_key)),
        list(&ks, &other_key),
    );
    let exists = cli(&args(
        &[
            "keystore",
            "init",
            ks.to_str().unwrap(),
            "--master-key-file",
            key.to_str().unwrap(),
        ],
        &[],
    ));
    case(
        "creating over an existing keystore",
        Some(ErrorClass::Exists),
        c_keystore_create(std::ptr::null(), &ks, None, Some(&key)),
        exists,
    );
    let missing = d.join("missing.ks");
    case(
        "no keystore file",
        Some(ErrorClass::NotFound),
        c_keystore_open(std::ptr::null(), &missing, None, Some(&key)),
        list(&missing, &key),
    );
    case(
        "a directory as the keystore",
        Some(ErrorClass::Io),
        c_keystore_open(std::ptr::null(), d, None, Some(&key)),
        list(d, &key),
    );
    {
        // A writer in this process holds the lock: a second C handle and the CLI are refused.
        let path = c(ks.to_str().unwrap());
        let file = c(key.to_str().unwrap());
        let mut held: *mut keystore = std::ptr::null_mut();
        let mut error = std::ptr::null_mut();
        // SAFETY: NUL-terminated strings, writable out-parameters.
        let code = unsafe {
            keystore_open(
                std::ptr::null(),
                path.as_ptr(),
                std::ptr::null(),
                file.as_ptr(),
                &mut held,
                &mut error,
            )
        };
        free(error);
        assert_eq!(code, KMIP_OK);
        let cli_locked = cli(&args(
            &[
                "keystore",
                "add",
                ks.to_str().unwrap(),
                "db",
                "--master-key-file",
                key.to_str().unwrap(),
            ],
            &[],
        ));
        case(
            "a keystore another writer holds",
            Some(ErrorClass::KeystoreLocked),
            c_keystore_open(std::ptr::null(), &ks, None, Some(&key)),
            cli_locked,
        );
        // SAFETY: a live handle, closed once.
        unsafe { keystore_close(held) };
    }
    let good = std::fs::read(&ks).unwrap();
    let corrupt = d.join("corrupt.ks");
    let mut bytes = good.clone();
    *bytes.last_mut().unwrap() ^= 1;
    std::fs::write(&corrupt, &bytes).unwrap();
    case(
        "a flipped byte",
        Some(ErrorClass::KeystoreCorrupt),
        c_keystore_open(std::ptr::null(), &corrupt, None, Some(&key)),
        list(&corrupt, &key),
    );
    let future = d.join("future.ks");
    let mut bytes = good;
    bytes[8..10].copy_from_slice(&9u16.to_le_bytes());
    std::fs::write(&future, &bytes).unwrap();
    case(
        "a format version from the future",
        Some(ErrorClass::Unsupported),
        c_keystore_open(std::ptr::null(), &future, None, Some(&key)),
        list(&future, &key),
    );

    // Every case: the same number from both faces, the class's when it is fixed.
    let mut covered = std::collections::BTreeSet::new();
    for case in &cases {
        assert_eq!(
            case.c, case.cli,
            "{}: the C ABI gives {}, the CLI {}",
            case.what, case.c, case.cli
        );
        let class = ErrorClass::from_code(case.c)
            .unwrap_or_else(|| panic!("{}: {} is not a class", case.what, case.c));
        if let Some(expected) = case.expected {
            assert_eq!(class, expected, "{}", case.what);
        }
        eprintln!("{:>2} {:<28} {}", case.c, class.label(), case.what);
        covered.insert(class);
    }
    // Every class a face can give, but for the C-only ones and the server's other refusals
    // (which need a server that refuses for another reason: tests/result_reasons.rs).
    for class in ErrorClass::ALL {
        let elsewhere = matches!(
            class,
            ErrorClass::BufferTooSmall
                | ErrorClass::Internal
                | ErrorClass::DecryptFailed
                | ErrorClass::Server
                | ErrorClass::Protocol
        );
        assert!(
            elsewhere || covered.contains(&class),
            "no case gives {class:?}"
        );
    }
}
