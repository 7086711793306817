//! Unit tests of dispatch's helpers; whole Dockerfiles run in `tests/` (plan fixtures).

use super::*;

#[test]
fn secret_names_match_whole_words_only() {
    for key in [
        "AWS_SECRET_ACCESS_KEY",
        "SECRET_PASSPHRASE",
        "super_duper_secret_token",
        "auth",
        "git_key",
        "apikey",
        "SUPER_Secret",
    ] {
        assert!(is_secret_name(key), "{key}");
    }
    for key in [
        "PUBLIC_KEY",
        "public_token",
        "GITHUB_TOKEN_FILE",
        "KEY_VERSION",
        "sunflower",
        "KEYCLOAK_URL",
        "MY-TOKEN",
        "TOKEN2",
    ] {
        assert!(!is_secret_name(key), "{key}");
    }
}

#[test]
fn expose_words_are_checked_like_buildkit() {
    let ok = expose_checks("8080-8090/udp").unwrap();
    assert!(!ok.proto_casing && !ok.mapping && ok.error.is_none());
    let upper = expose_checks("80/TcP").unwrap();
    assert!(upper.proto_casing && upper.error.is_none());
    let mapping = expose_checks("127.0.0.1:80:80").unwrap();
    assert!(mapping.mapping && mapping.error.is_none());
    assert_eq!(expose_checks("1.2.3:80:80").unwrap().error.as_deref(), Some("invalid IP address: 1.2.3"));
    assert_eq!(expose_checks("[::1]:53:53/udp").unwrap().error, None);
    assert_eq!(expose_checks("70000").unwrap().error.as_deref(), Some("invalid containerPort: 70000"));
    assert_eq!(expose_checks("90-80").unwrap().error.as_deref(), Some("invalid containerPort: 90-80"));
    assert_eq!(
        expose_checks("1000-1001:80-90").unwrap().error.as_deref(),
        Some("invalid ranges specified for container and host Ports: 80-90 and 1000-1001")
    );
    assert_eq!(expose_checks("/tcp").err().as_deref(), Some("invalid port: \"/tcp\": no port specified"));
    assert_eq!(expose_checks("80/quic").err().as_deref(), Some("invalid port: \"80/quic\": invalid proto: quic"));
}

#[test]
fn signals_and_workdirs() {
    for s in ["SIGTERM", "term", "9", "-1", "SIGRTMIN+3", "RTMAX-14", "SIGQUIT"] {
        assert!(valid_signal(s), "{s}");
    }
    for s in ["0", "SIGWHAT", "RTMIN+16", "RTMAX-0", ""] {
        assert!(!valid_signal(s), "{s}");
    }
    assert_eq!(normalize_workdir("/go", "src/app"), "/go/src/app");
    assert_eq!(normalize_workdir("/go", "/app/../srv/"), "/srv");
    assert_eq!(normalize_workdir("/", ".."), "/");
    assert!(is_abs("/x", "linux") && !is_abs("x", "linux"));
    assert!(is_abs("C:\\app", "windows") && is_abs("\\app", "windows") && !is_abs("app", "windows"));
}
