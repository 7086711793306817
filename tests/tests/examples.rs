//! The examples the playground ships (`examples/`), simulated with their contexts over the
//! shipped catalog: the RUN issue's pipelines end to end with no opaque layer and no error,
//! and the files a real build produces where a real build puts them.

use stagecraft_core::sim::{Fidelity, simulate};
use stagecraft_core::{Analysis, CheckOptions};
use stagecraft_tests::{context_of_dir, shipped_catalog, workspace_root};

/// Simulates `examples/<name>` with its directory as the context: no error, no opaque step,
/// and every path of `want` in the final stage.
fn simulated(name: &str, want: &[&str]) {
    let dir = workspace_root().join("examples").join(name);
    let text = std::fs::read_to_string(dir.join("Dockerfile")).expect("Dockerfile");
    let analysis = Analysis::new(&text);
    let checked = analysis.check(&text, &CheckOptions::default());
    let images = checked.plan.images_used();
    let catalog = shipped_catalog(&images.iter().map(String::as_str).collect::<Vec<_>>());
    let context = context_of_dir(&dir, None);
    let sim = simulate(&text, &analysis, &checked, &context, &catalog);
    let errors: Vec<&str> = sim.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.as_str()).collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
    for stage in &sim.stages {
        for step in &stage.steps {
            assert_ne!(step.fidelity, Fidelity::Opaque, "{name}: stage {} `{}` is opaque", stage.index, step.text);
        }
    }
    let last = sim.stages.iter().max_by_key(|s| s.index).expect("a stage");
    for path in want {
        assert!(last.snapshot.stat(path).is_some(), "{name}: {path} is not in the final image");
    }
}

#[test]
fn the_pipelines_simulate_with_no_opaque_layer() {
    simulated("maven-war-tomcat", &["/usr/local/tomcat/webapps/ROOT.war", "/usr/local/tomcat/bin/setenv.sh"]);
    simulated("gradle-spring-boot-jre", &["/app/app.jar", "/app/config/application.properties"]);
    simulated(
        "node-build-prod",
        &["/app/dist/main.js", "/app/dist/greeting.js", "/app/server.js", "/app/node_modules"],
    );
    simulated("nginx-cert", &["/etc/nginx/cert.pem", "/etc/nginx/cert.key", "/etc/nginx/conf.d/default.conf"]);
}
