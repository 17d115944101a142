// Package deploy_test checks the deploy files against what klabot needs: the Kubernetes
// manifest decodes strictly into the Kubernetes API types (a misspelt or misplaced field
// fails), and the compose file and manifest keep the operators' safety rules.
package deploy_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// manifest decodes deploy/k8s/klabot.yaml strictly, one typed object per document.
func manifest(t *testing.T) (cm corev1.ConfigMap, dep appsv1.Deployment, svcs []corev1.Service) {
	t.Helper()
	b, err := os.ReadFile("k8s/klabot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i, doc := range bytes.Split(b, []byte("\n---\n")) {
		var head struct{ Kind, APIVersion string }
		if err := yaml.Unmarshal(doc, &head); err != nil {
			t.Fatalf("document %d: %v", i+1, err)
		}
		var obj any
		switch head.Kind {
		case "ConfigMap":
			obj = &cm
		case "Deployment":
			obj = &dep
		case "Service":
			svcs = append(svcs, corev1.Service{})
			obj = &svcs[len(svcs)-1]
		case "PersistentVolumeClaim":
			obj = &corev1.PersistentVolumeClaim{}
		default:
			t.Fatalf("document %d: unexpected kind %q", i+1, head.Kind)
		}
		if err := yaml.UnmarshalStrict(doc, obj); err != nil {
			t.Errorf("document %d (%s): %v", i+1, head.Kind, err)
		}
	}
	return cm, dep, svcs
}

func TestKubernetesManifest(t *testing.T) {
	cm, dep, svcs := manifest(t)
	pod := dep.Spec.Template.Spec
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("automountServiceAccountToken must be false")
	}
	if sc := pod.SecurityContext; sc == nil || sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault ||
		sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Errorf("pod securityContext %+v: want runAsNonRoot and seccompProfile RuntimeDefault", pod.SecurityContext)
	}
	all := append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...)
	if len(pod.InitContainers) == 0 {
		t.Error("no migrate init container")
	}
	for _, c := range all {
		sc := c.SecurityContext
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil ||
			!*sc.ReadOnlyRootFilesystem || sc.Capabilities == nil || len(sc.Capabilities.Drop) == 0 {
			t.Errorf("container %s: securityContext %+v", c.Name, sc)
		}
		if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("container %s: no memory request and limit", c.Name)
		}
		if strings.HasSuffix(c.Image, ":latest") || !strings.Contains(c.Image, "/") {
			t.Errorf("container %s: image %q: use a registry reference with a version", c.Name, c.Image)
		}
	}
	if _, pinned := cm.Data["KLA_YEAR"]; pinned {
		t.Error("the ConfigMap pins KLA_YEAR: it would stop every region at that year")
	}
	if cm.Data["METRICS_ADDR"] == "" {
		t.Error("METRICS_ADDR not set: /metrics would be on the public port")
	}
	for _, s := range svcs {
		for _, p := range s.Spec.Ports {
			if s.Name == "klabot" && (p.TargetPort.String() == "metrics" || p.TargetPort.IntValue() == 9090) {
				t.Errorf("Service %s exposes /metrics", s.Name)
			}
		}
	}
	if !bytes.Contains(mustRead(t, "k8s/klabot.yaml"), []byte("session-pooling")) {
		t.Error("the manifest does not say that advisory locks need a direct or session-pooled connection")
	}
}

// compose is the part of the compose file these checks read; decoding is strict, so an
// unknown key at these levels fails too.
type compose struct {
	Name     string `json:"name"`
	Services map[string]struct {
		Image       string            `json:"image"`
		Build       map[string]any    `json:"build"`
		Restart     string            `json:"restart"`
		Command     []string          `json:"command"`
		EnvFile     []map[string]any  `json:"env_file"`
		Environment map[string]string `json:"environment"`
		Ports       []string          `json:"ports"`
		Volumes     []string          `json:"volumes"`
		Healthcheck *struct {
			Test        []string `json:"test"`
			Interval    string   `json:"interval"`
			Timeout     string   `json:"timeout"`
			StartPeriod string   `json:"start_period"`
			Retries     int      `json:"retries"`
		} `json:"healthcheck"`
		DependsOn map[string]struct {
			Condition string `json:"condition"`
		} `json:"depends_on"`
	} `json:"services"`
	Volumes map[string]any `json:"volumes"`
}

func TestComposeFile(t *testing.T) {
	var c compose
	if err := yaml.UnmarshalStrict(mustRead(t, "compose.yaml"), &c); err != nil {
		t.Fatal(err)
	}
	pg, app := c.Services["postgres"], c.Services["klabot"]
	if !strings.HasPrefix(pg.Environment["POSTGRES_PASSWORD"], "${POSTGRES_PASSWORD:?") {
		t.Errorf("POSTGRES_PASSWORD must be required (${POSTGRES_PASSWORD:?...}), got %q", pg.Environment["POSTGRES_PASSWORD"])
	}
	if strings.Contains(app.Environment["DATABASE_URL"], ":-") {
		t.Error("DATABASE_URL falls back to a default password")
	}
	if app.Healthcheck == nil || len(app.Healthcheck.Test) < 3 || app.Healthcheck.Test[0] != "CMD" || app.Healthcheck.Test[2] != "healthcheck" {
		t.Errorf("klabot healthcheck = %+v, want [CMD /usr/local/bin/klabot healthcheck]", app.Healthcheck)
	}
	if app.Environment["METRICS_ADDR"] == "" {
		t.Error("METRICS_ADDR not set: /metrics would be on the public port")
	}
	for _, p := range app.Ports {
		if strings.HasSuffix(p, ":9090") && !strings.HasPrefix(p, "127.0.0.1:") {
			t.Errorf("port %q publishes /metrics beyond the loopback", p)
		}
	}
	for _, name := range []string{"postgres", "redis"} {
		if app.DependsOn[name].Condition != "service_healthy" {
			t.Errorf("klabot does not wait for a healthy %s", name)
		}
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
