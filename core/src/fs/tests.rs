//! Unit tests of the layered filesystem.

use super::*;

fn file(text: &str) -> Entry {
    Entry::file(Content::bytes(text.as_bytes()), Meta::FILE)
}

fn tree() -> Snapshot {
    let mut s = Snapshot::new();
    s.mkdir_all("/etc/nginx/conf.d", Meta::DIR).unwrap();
    s.mkdir_all("/usr/share/nginx/html", Meta::DIR).unwrap();
    s.insert("/etc/nginx/nginx.conf", file("events {}\n")).unwrap();
    s.insert("/usr/share/nginx/html/index.html", file("<h1>hi</h1>\n")).unwrap();
    s.insert("/etc/alternatives", Entry::symlink("/usr/share", Meta::SYMLINK)).unwrap();
    s.insert("/etc/relative", Entry::symlink("../usr/share/nginx", Meta::SYMLINK)).unwrap();
    s
}

#[test]
fn paths_resolve_inside_the_root() {
    let s = tree();
    assert_eq!(
        s.resolve("/etc/alternatives/nginx/html/index.html", true).unwrap().path(),
        "/usr/share/nginx/html/index.html"
    );
    assert_eq!(s.resolve("/etc/relative/html", true).unwrap().path(), "/usr/share/nginx/html");
    // `..` stops at the root, also through symlinks.
    assert_eq!(s.resolve("/../../../etc/nginx", true).unwrap().path(), "/etc/nginx");
    assert_eq!(s.resolve("etc/../../..", true).unwrap().path(), "/");
    let mut escape = s.clone();
    escape.insert("/escape", Entry::symlink("../../../../../etc", Meta::SYMLINK)).unwrap();
    assert_eq!(escape.resolve("/escape/nginx/nginx.conf", true).unwrap().path(), "/etc/nginx/nginx.conf");
    // The last component is followed only when asked.
    assert_eq!(s.resolve("/etc/alternatives", false).unwrap().path(), "/etc/alternatives");
    assert!(matches!(s.lstat("/etc/alternatives").unwrap().node, Node::Symlink(_)));
    assert!(s.stat("/etc/alternatives").unwrap().is_dir());
    // A missing last component resolves to where it would be; a missing middle one is ENOENT.
    let missing = s.resolve("/etc/alternatives/new", true).unwrap();
    assert_eq!((missing.path(), missing.entry.is_none()), ("/usr/share/new".to_string(), true));
    assert_eq!(s.resolve("/nope/x", true).unwrap_err(), FsError::NotFound("/nope".into()));
    assert_eq!(
        s.resolve("/etc/nginx/nginx.conf/x", true).unwrap_err(),
        FsError::NotADirectory("/etc/nginx/nginx.conf".into())
    );
}

#[test]
fn symlink_loops_are_errors() {
    let mut s = Snapshot::new();
    s.insert("/a", Entry::symlink("/b", Meta::SYMLINK)).unwrap();
    s.insert("/b", Entry::symlink("a", Meta::SYMLINK)).unwrap();
    s.insert("/self", Entry::symlink("self/x", Meta::SYMLINK)).unwrap();
    assert!(matches!(s.resolve("/a", true), Err(FsError::Loop(_))));
    assert!(matches!(s.resolve("/self/y", true), Err(FsError::Loop(_))));
    assert!(s.stat("/a").is_none());
    // A chain of 40 links resolves; 41 do not (Linux's MAXSYMLINKS).
    let mut chain = Snapshot::new();
    chain.insert("/target", file("x")).unwrap();
    for i in 0..41 {
        let to = if i == 0 { "/target".to_string() } else { format!("/l{}", i - 1) };
        chain.insert(&format!("/l{i}"), Entry::symlink(to, Meta::SYMLINK)).unwrap();
    }
    assert!(chain.stat("/l39").is_some());
    assert!(matches!(chain.resolve("/l40", true), Err(FsError::Loop(_))));
    assert_eq!(chain.resolve(&"/x".repeat(3000), true).unwrap_err(), FsError::NameTooLong);
}

#[test]
fn snapshots_share_structure() {
    let base = tree();
    let mut child = base.clone();
    assert!(child.same(&base));
    child.insert("/etc/nginx/conf.d/default.conf", file("server {}\n")).unwrap();
    // The base is untouched, and the untouched subtree is shared by identity.
    assert!(base.stat("/etc/nginx/conf.d/default.conf").is_none());
    let usr = |s: &Snapshot| s.root().as_dir().unwrap().get("usr").unwrap().clone();
    assert!(usr(&base).same(&usr(&child)));
    assert!(!child.same(&base));
    child.remove("/etc/nginx").unwrap();
    assert!(child.stat("/etc/nginx/nginx.conf").is_none() && base.stat("/etc/nginx/nginx.conf").is_some());
    assert_eq!(child.insert("/", Entry::dir(Meta::DIR)).unwrap_err(), FsError::Root);
}

#[test]
fn mkdir_all_follows_symlinks_and_refuses_files() {
    let mut s = tree();
    assert_eq!(s.mkdir_all("/etc/alternatives/new/deep", Meta::new(0o700, 1000, 1000)).unwrap(), "/usr/share/new/deep");
    assert_eq!(s.stat("/usr/share/new").unwrap().meta, Meta::new(0o700, 1000, 1000));
    assert_eq!(
        s.mkdir_all("/etc/nginx/nginx.conf/sub", Meta::DIR).unwrap_err(),
        FsError::NotADirectory("/etc/nginx/nginx.conf".into())
    );
    assert_eq!(s.mkdir_all("/", Meta::DIR).unwrap(), "/");
}

#[test]
fn walk_lists_every_entry_in_order() {
    let s = tree();
    let paths: Vec<String> = s.walk("/etc").into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        paths,
        ["/etc", "/etc/alternatives", "/etc/nginx", "/etc/nginx/conf.d", "/etc/nginx/nginx.conf", "/etc/relative"]
    );
    assert_eq!(s.size(), 10 + 12);
    assert!(s.walk("/missing").is_empty());
}

#[test]
fn layers_are_diffs() {
    let base = tree();
    let mut next = base.clone();
    next.insert("/etc/nginx/nginx.conf", file("events { worker_connections 10; }\n")).unwrap();
    next.insert("/app", Entry::dir(Meta::DIR)).unwrap();
    next.insert("/app/main", Entry::file(Content::synthetic(1_000_000, "go build"), Meta::new(0o755, 0, 0))).unwrap();
    next.remove("/etc/relative").unwrap();
    next.mkdir_all("/usr/share/nginx/html", Meta::new(0o750, 0, 0)).unwrap();
    let layer = diff(&base, &next);
    // A directory added whole is one change standing for everything in it.
    let rows: Vec<(&str, ChangeKind, u64, usize)> =
        layer.changes.iter().map(|c| (c.path.as_str(), c.kind, c.size, c.entries)).collect();
    assert_eq!(
        rows,
        [
            ("/app", ChangeKind::Added, 1_000_000, 2),
            ("/etc/nginx/nginx.conf", ChangeKind::Modified, 34, 1),
            ("/etc/relative", ChangeKind::Deleted, 0, 1),
        ]
    );
    let paths: Vec<(String, ChangeKind)> = layer.paths();
    assert_eq!(
        paths.iter().map(|(p, k)| (p.as_str(), *k)).collect::<Vec<_>>(),
        [
            ("/app", ChangeKind::Added),
            ("/app/main", ChangeKind::Added),
            ("/etc/nginx/nginx.conf", ChangeKind::Modified),
            ("/etc/relative", ChangeKind::Deleted),
        ]
    );
    assert_eq!(layer.count(ChangeKind::Added), 2);
    assert_eq!(layer.size(), 1_000_034);
    assert!(diff(&base, &base.clone()).changes.is_empty());
    // Emptying a directory and filling it again makes it opaque.
    let mut opaque = base.clone();
    opaque.remove("/etc/nginx").unwrap();
    opaque.mkdir_all("/etc/nginx", Meta::DIR).unwrap();
    opaque.insert("/etc/nginx/new.conf", file("x")).unwrap();
    let layer = diff(&base, &opaque);
    assert_eq!(layer.opaque, ["/etc/nginx"]);
    // A type change is a deletion and an addition.
    let mut retyped = base.clone();
    retyped.insert("/etc/nginx", file("not a dir")).unwrap();
    let retyped_layer = diff(&base, &retyped);
    let kinds: Vec<(&str, ChangeKind)> = retyped_layer.changes.iter().map(|c| (c.path.as_str(), c.kind)).collect();
    assert_eq!(kinds, [("/etc/nginx", ChangeKind::Deleted), ("/etc/nginx", ChangeKind::Added)]);
}

#[test]
fn a_large_tree_is_shared_not_copied() {
    // 20,000 files in one tree, grafted into ten snapshots: each graft touches one path.
    let mut src = Snapshot::new();
    src.mkdir_all("/big", Meta::DIR).unwrap();
    for i in 0..200 {
        src.mkdir_all(&format!("/big/d{i}"), Meta::DIR).unwrap();
        for j in 0..100 {
            src.insert(&format!("/big/d{i}/f{j}"), Entry::file(Content::synthetic(10, "x"), Meta::FILE)).unwrap();
        }
    }
    let big = src.stat("/big").unwrap();
    let mut stages = vec![Snapshot::new()];
    for k in 0..10 {
        let mut s = stages.last().unwrap().clone();
        s.insert(&format!("/copy{k}"), big.clone()).unwrap();
        stages.push(s);
    }
    let last = stages.last().unwrap();
    for k in 0..10 {
        assert!(last.stat(&format!("/copy{k}")).unwrap().same(&big), "copy {k} shares the source tree");
    }
    let layer = diff(&stages[9], &stages[10]);
    assert_eq!(layer.count(ChangeKind::Added), 1 + 200 + 20_000);
    assert_eq!(layer.changes.len(), 1, "the grafted tree is one change, not 20,201");
    assert_eq!(layer.size(), 20_000 * 10);
}

#[test]
fn export_is_a_tar_like_docker_export() {
    let mut s = tree();
    s.insert("/bin", Entry::dir(Meta::DIR)).unwrap();
    s.insert(
        "/bin/busybox",
        Entry {
            node: Node::File { content: Content::synthetic(900_000, "busybox"), link: Some(1) },
            meta: Meta::new(0o4755, 0, 0),
        },
    )
    .unwrap();
    s.insert(
        "/bin/sh",
        Entry {
            node: Node::File { content: Content::synthetic(900_000, "busybox"), link: Some(1) },
            meta: Meta::new(0o4755, 0, 0),
        },
    )
    .unwrap();
    let long = format!("/etc/{}", "d".repeat(150));
    s.insert(&long, file("long name")).unwrap();
    let bytes = to_tar(&s, "/").unwrap();
    let mut archive = tar::Archive::new(bytes.as_slice());
    let mut seen = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let kind = entry.header().entry_type();
        let mode = entry.header().mode().unwrap();
        let link = entry.link_name().unwrap().map(|l| l.to_string_lossy().into_owned());
        let pax = entry
            .pax_extensions()
            .unwrap()
            .map(|exts| {
                exts.filter_map(Result::ok).map(|e| e.key().unwrap_or_default().to_string()).collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let mut body = String::new();
        std::io::Read::read_to_string(&mut entry, &mut body).unwrap();
        seen.push((path, kind, mode, link, pax, body));
    }
    let find = |p: &str| {
        seen.iter()
            .find(|s| s.0 == p)
            .unwrap_or_else(|| panic!("{p} missing from {:?}", seen.iter().map(|s| &s.0).collect::<Vec<_>>()))
    };
    assert!(find("etc/nginx/").1.is_dir());
    assert_eq!(find("etc/nginx/nginx.conf").5, "events {}\n");
    assert_eq!(find("etc/alternatives").3.as_deref(), Some("/usr/share"));
    let busybox = find("bin/busybox");
    assert_eq!(busybox.2, 0o4755);
    assert_eq!(busybox.4, ["STAGECRAFT.synthetic.size", "STAGECRAFT.synthetic.id"]);
    assert!(busybox.5.contains("900000 bytes"));
    let sh = find("bin/sh");
    assert_eq!((sh.1, sh.3.as_deref()), (tar::EntryType::Link, Some("bin/busybox")));
    assert_eq!(find(&long[1..]).5, "long name");
    // A subtree exports relative to itself.
    let sub = to_tar(&s, "/usr/share/nginx").unwrap();
    let names: Vec<String> = tar::Archive::new(sub.as_slice())
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["./", "html/", "html/index.html"]);
}

mod copying {
    use super::super::copy::{Chmod, CopyError, CopyOptions, copy, glob_match, has_wildcards};
    use super::*;

    /// A build context: files as Docker sends them (owned by root, modes kept).
    fn context() -> Snapshot {
        let mut c = Snapshot::new();
        c.mkdir_all("/src/lib", Meta::new(0o775, 0, 0)).unwrap();
        c.insert("/src/main.go", file("package main\n")).unwrap();
        c.insert("/src/lib/util.go", file("package lib\n")).unwrap();
        c.insert("/run.sh", Entry::file(Content::bytes(&b"#!/bin/sh\n"[..]), Meta::new(0o755, 0, 0))).unwrap();
        c.insert("/a.txt", file("a")).unwrap();
        c.insert("/b.txt", file("b")).unwrap();
        c.insert("/link", Entry::symlink("src/main.go", Meta::SYMLINK)).unwrap();
        c
    }

    fn opts() -> CopyOptions {
        CopyOptions { wildcards: true, ..CopyOptions::default() }
    }

    fn listing(s: &Snapshot, under: &str) -> Vec<String> {
        s.walk(under)
            .into_iter()
            .map(|(p, e)| {
                let kind = match e.node {
                    Node::Dir(_) => "d",
                    Node::File { .. } => "f",
                    Node::Symlink(_) => "l",
                };
                format!("{kind} {p} {:o} {}:{}", e.meta.mode, e.meta.uid, e.meta.gid)
            })
            .collect()
    }

    #[test]
    fn file_destinations_follow_docker_rules() {
        let ctx = context();
        // No trailing slash, nothing there: the file is the destination.
        let mut img = Snapshot::new();
        copy(&ctx, "/a.txt", &mut img, "/opt/renamed", &opts()).unwrap();
        assert_eq!(listing(&img, "/opt"), ["d /opt 755 0:0", "f /opt/renamed 644 0:0"]);
        // A trailing slash makes a directory; an existing directory takes the file inside.
        copy(&ctx, "/a.txt", &mut img, "/dir/", &opts()).unwrap();
        copy(&ctx, "/b.txt", &mut img, "/dir", &opts()).unwrap();
        assert_eq!(listing(&img, "/dir"), ["d /dir 755 0:0", "f /dir/a.txt 644 0:0", "f /dir/b.txt 644 0:0"]);
        // Modes are kept; a symlink source is followed and named after the link.
        copy(&ctx, "/run.sh", &mut img, "/usr/local/bin/", &opts()).unwrap();
        copy(&ctx, "/link", &mut img, "/app/", &opts()).unwrap();
        assert_eq!(img.stat("/usr/local/bin/run.sh").unwrap().meta.mode, 0o755);
        assert_eq!(img.stat("/app/link").unwrap().kind(), EntryKind::File);
    }

    #[test]
    fn directories_copy_their_contents() {
        let ctx = context();
        let mut img = Snapshot::new();
        copy(&ctx, "/src", &mut img, "/app", &opts()).unwrap();
        // The created destination takes the source directory's mode; the contents come in.
        assert_eq!(
            listing(&img, "/app"),
            ["d /app 775 0:0", "d /app/lib 775 0:0", "f /app/lib/util.go 644 0:0", "f /app/main.go 644 0:0"]
        );
        assert!(img.stat("/app/src").is_none(), "the directory itself is not copied, only its contents");
        // An existing destination keeps its own metadata.
        let mut existing = Snapshot::new();
        existing.mkdir_all("/app", Meta::new(0o700, 1, 1)).unwrap();
        copy(&ctx, "/src", &mut existing, "/app/", &opts()).unwrap();
        assert_eq!(existing.stat("/app").unwrap().meta, Meta::new(0o700, 1, 1));
        assert!(existing.stat("/app/lib/util.go").is_some());
        // Without --chown or --chmod the subtree is shared with the source.
        assert!(img.stat("/app").unwrap().same(&ctx.stat("/src").unwrap()));
    }

    #[test]
    fn wildcards_match_like_go() {
        for (pattern, name, want) in [
            ("*.txt", "a.txt", true),
            ("*.txt", "a.go", false),
            ("?.txt", "ab.txt", false),
            ("[a-c].txt", "b.txt", true),
            ("[^a-c].txt", "b.txt", false),
            ("[^a-c].txt", "d.txt", true),
            ("\\*.txt", "*.txt", true),
            ("\\*.txt", "a.txt", false),
            ("*", "", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
        ] {
            assert_eq!(glob_match(pattern, name), want, "{pattern} ~ {name}");
        }
        assert!(has_wildcards("src/*.go") && !has_wildcards("src/\\*.go") && !has_wildcards("plain"));
        let ctx = context();
        let mut img = Snapshot::new();
        assert_eq!(copy(&ctx, "/*.txt", &mut img, "/texts/", &opts()).unwrap(), 2);
        assert_eq!(copy(&ctx, "/src/*/*.go", &mut img, "/go/", &opts()).unwrap(), 1);
        assert!(
            img.stat("/texts/a.txt").is_some()
                && img.stat("/texts/b.txt").is_some()
                && img.stat("/go/util.go").is_some()
        );
        // BuildKit allows a wildcard that matches nothing; a plain missing path is an error.
        assert_eq!(copy(&ctx, "/*.none", &mut img, "/x/", &opts()).unwrap(), 0);
        assert_eq!(
            copy(&ctx, "/missing.txt", &mut img, "/x/", &opts()).unwrap_err(),
            CopyError::NotFound("/missing.txt".into())
        );
        assert_eq!(CopyError::NotFound("/missing.txt".into()).to_string(), "\"/missing.txt\": not found");
    }

    #[test]
    fn chown_chmod_and_exclude() {
        let ctx = context();
        let mut img = Snapshot::new();
        let options = CopyOptions { chown: Some((1000, 1000)), chmod: Some(Chmod::parse("640").unwrap()), ..opts() };
        copy(&ctx, "/src", &mut img, "/home/app/src/", &options).unwrap();
        // Parents created by the copy belong to the --chown user.
        assert_eq!(img.stat("/home").unwrap().meta, Meta::new(0o755, 1000, 1000));
        assert_eq!(img.stat("/home/app/src/main.go").unwrap().meta, Meta::new(0o640, 1000, 1000));
        let symbolic = CopyOptions { chmod: Some(Chmod::parse("u+x,go-r").unwrap()), ..opts() };
        copy(&ctx, "/a.txt", &mut img, "/sym", &symbolic).unwrap();
        assert_eq!(img.stat("/sym").unwrap().meta.mode, 0o700);
        assert_eq!(Chmod::parse("a=rX").unwrap().apply(0o751, true), 0o555);
        assert_eq!(Chmod::parse("a=rX").unwrap().apply(0o640, false), 0o444);
        assert!(Chmod::parse("99999").is_err());
        assert_eq!(
            Chmod::parse("8").unwrap_err(),
            "invalid chmod parameter: '8'. it should be octal string and between 0 and 07777"
        );
        assert!(Chmod::parse("z+q").is_err());
        let exclude = CopyOptions { exclude: Some(crate::dockerignore::Matcher::parse("lib").unwrap()), ..opts() };
        let mut ex = Snapshot::new();
        copy(&ctx, "/src", &mut ex, "/app", &exclude).unwrap();
        assert!(ex.stat("/app/main.go").is_some() && ex.stat("/app/lib").is_none());
    }

    #[test]
    fn files_cannot_replace_directories() {
        let ctx = context();
        let mut img = Snapshot::new();
        img.mkdir_all("/app/main.go", Meta::DIR).unwrap();
        let err = copy(&ctx, "/src/main.go", &mut img, "/app/main.go/x/..", &opts());
        assert!(err.is_ok(), "a path through .. resolves: {err:?}");
        let mut blocked = Snapshot::new();
        blocked.mkdir_all("/app/main.go/sub", Meta::DIR).unwrap();
        assert!(matches!(copy(&ctx, "/src", &mut blocked, "/app", &opts()), Err(CopyError::Replace(_))));
        let mut file_first = Snapshot::new();
        file_first.insert("/app", file("not a dir")).unwrap();
        assert_eq!(
            copy(&ctx, "/src", &mut file_first, "/app", &opts()).unwrap_err(),
            CopyError::Replace("cannot copy to non-directory: /app".into())
        );
    }
}

/// A file to put (size, hard-link id), or `None` to remove the path.
type Put = Option<(usize, Option<u64>)>;

/// The sizes the directories keep equal a count over every file, through inserts, hard
/// links, replacements and removals.
#[test]
fn kept_sizes_equal_a_full_count() {
    fn counted(s: &Snapshot) -> u64 {
        let mut seen = std::collections::BTreeSet::new();
        s.walk("/")
            .iter()
            .filter_map(|(_, e)| match &e.node {
                Node::File { content, link } => link.is_none_or(|l| seen.insert(l)).then(|| content.size()),
                _ => None,
            })
            .sum()
    }
    let mut s = Snapshot::new();
    let file = |n: usize, link: Option<u64>| Entry {
        node: Node::File { content: Content::synthetic(n as u64, format!("f{n}")), link },
        meta: Meta::FILE,
    };
    s.mkdir_all("/a/b", Meta::DIR).unwrap();
    s.mkdir_all("/c", Meta::DIR).unwrap();
    // (path, Some((size, link id)) to put a file there, None to remove it)
    let steps: [(&str, Put); 9] = [
        ("/a/one", Some((10, None))),
        ("/a/b/two", Some((20, None))),
        ("/a/b/linked", Some((300, Some(7)))),
        ("/c/linked-too", Some((300, Some(7)))),
        ("/a/one", Some((11, None))),
        ("/a/b/linked", None),
        ("/c/other", Some((5, Some(8)))),
        ("/c", None),
        ("/a/b", Some((1, None))),
    ];
    for (i, (path, put)) in steps.into_iter().enumerate() {
        match put {
            Some((size, link)) => {
                s.insert(path, file(size, link)).unwrap();
            }
            None => s.remove(path).unwrap(),
        }
        assert_eq!(s.size(), counted(&s), "after step {i}");
    }
    assert_eq!(s.size(), 11 + 1);
}
