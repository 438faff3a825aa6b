//go:build integration

package comment

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// chromium runs headless Chromium on file with args and returns stdout.
func chromium(t *testing.T, file string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--disable-extensions", "--disable-background-networking", "--user-data-dir=" + t.TempDir(),
		"--virtual-time-budget=3000"}
	cmd := exec.CommandContext(ctx, "chromium", append(append(base, args...), "file://"+file)...)
	cmd.Dir = t.TempDir()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

var (
	titleRE  = regexp.MustCompile(`(?s)<title>(.*?)</title>`)
	errorsRE = regexp.MustCompile(`data-errors="([^"]*)"`)
)

// writePage renders a case to dir and returns the file's path.
func writePage(t *testing.T, dir, name string) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, loadCase(t, name), Options{Now: goldenNow}, 0); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".html")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, b.Bytes()
}

// TestDashboardInChromium loads each dashboard in headless Chromium, takes a
// screenshot and checks the rendered DOM: title, one table row and one SVG
// chart per benchmark, the script ran, no error, no blocked request, no alert
// from hostile names. Screenshots are kept in $XPCS_SCREENSHOTS when set.
func TestDashboardInChromium(t *testing.T) {
	testenv.NeedCommand(t, "chromium (apt-get install chromium)", "chromium", "--version")
	dir := t.TempDir()
	shots := os.Getenv("XPCS_SCREENSHOTS")
	if shots == "" {
		shots = dir
	}
	for _, name := range []string{"mixed", "hostile", "firstrun"} {
		t.Run(name, func(t *testing.T) {
			c := loadCase(t, name)
			path, src := writePage(t, dir, name)
			if m := regexp.MustCompile(`https?://[^\s"<]*`).FindAll(src, -1); len(m) > 0 {
				for _, u := range m {
					// URLs may appear as text (run links, hostile names) but never as
					// a resource; TestHTMLInert checks the attributes.
					if bytes.Contains(src, []byte(`src="`+string(u))) || bytes.Contains(src, []byte(`href="`+string(u))) {
						t.Errorf("page references %s", u)
					}
				}
			}
			dom := string(chromium(t, path, "--dump-dom"))
			if m := errorsRE.FindStringSubmatch(dom); m != nil {
				t.Errorf("page recorded errors: %s", m[1])
			}
			if !strings.Contains(dom, `data-ready="1"`) {
				t.Error("dashboard script did not run (CSP hash mismatch or exception)")
			}
			title := titleRE.FindStringSubmatch(dom)
			if title == nil || !strings.HasPrefix(title[1], "xpcs-perf ") {
				t.Errorf("title = %v, want xpcs-perf …", title)
			}
			tbody := dom[strings.Index(dom, `<table id="summary">`):]
			tbody = tbody[:strings.Index(tbody, "</table>")]
			if got := strings.Count(tbody, "<tr class="); got != len(c.Rows) {
				t.Errorf("%d summary rows in the DOM, want %d", got, len(c.Rows))
			}
			if got := strings.Count(dom, `<svg class="chart strip`); got != len(c.Rows) {
				t.Errorf("%d sample charts in the DOM, want %d", got, len(c.Rows))
			}
			if strings.Contains(dom, "<img") || strings.Contains(dom, "<b>") {
				t.Error("a hostile name became an element")
			}
			png := filepath.Join(shots, "dashboard-"+name+".png")
			chromium(t, path, "--window-size=1280,1800", "--screenshot="+png)
			b, err := os.ReadFile(png)
			if err != nil || len(b) < 10000 || !bytes.HasPrefix(b, []byte("\x89PNG")) {
				t.Errorf("screenshot %s missing or empty (%d bytes, %v)", png, len(b), err)
			}
		})
	}
}

// TestDashboardRecorderCatchesRequests is the control of the test above: a
// page that tries to load an image and run an unlisted script must report
// both, so a clean data-errors really means no request left the file.
func TestDashboardRecorderCatchesRequests(t *testing.T) {
	testenv.NeedCommand(t, "chromium (apt-get install chromium)", "chromium", "--version")
	dir := t.TempDir()
	path, src := writePage(t, dir, "mixed")
	bad := bytes.Replace(src, []byte("</body>"), []byte(`<img src="https://example.invalid/x.png"><script>document.title="pwned"</script></body>`), 1)
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(chromium(t, path, "--dump-dom"))
	m := errorsRE.FindStringSubmatch(dom)
	if m == nil || !strings.Contains(m[1], "csp: img-src") || !strings.Contains(m[1], "csp: script-src") {
		t.Fatalf("blocked requests not recorded; data-errors = %v", m)
	}
	if strings.Contains(dom, "<title>pwned") {
		t.Error("an unlisted inline script ran despite the CSP")
	}
}

// TestDashboardSortFilter drives the table script in Chromium: a test script
// (allowed by adding its hash to the page's CSP) filters by name and by
// verdict and sorts by change, writing what it sees into the DOM.
func TestDashboardSortFilter(t *testing.T) {
	testenv.NeedCommand(t, "chromium (apt-get install chromium)", "chromium", "--version")
	dir := t.TempDir()
	path, src := writePage(t, dir, "mixed")
	probe := `(function(){var d=document,f=d.getElementById("filter"),v=d.getElementById("verdict"),out=[];
f.value="twotime";f.dispatchEvent(new Event("input"));out.push(d.getElementById("shown").textContent);
f.value="";f.dispatchEvent(new Event("input"));v.value="regression";v.dispatchEvent(new Event("change"));out.push(d.getElementById("shown").textContent);
v.value="";v.dispatchEvent(new Event("change"));var th=d.querySelectorAll("#summary th")[5];th.click();
var first=d.querySelector("#summary tbody tr:not([hidden])");out.push(first.getAttribute("data-name"));th.click();
first=d.querySelector("#summary tbody tr:not([hidden])");out.push(first.getAttribute("data-name"));
d.documentElement.setAttribute("data-probe",out.join(";"));})();`
	sum := sha256.Sum256([]byte(probe))
	hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	page := strings.Replace(string(src), "script-src ", "script-src "+strings.ReplaceAll(hash, "'", "&#39;")+" ", 1)
	page = strings.Replace(page, "</body>", "<script>"+probe+"</script></body>", 1)
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(chromium(t, path, "--dump-dom"))
	if m := errorsRE.FindStringSubmatch(dom); m != nil {
		t.Fatalf("page recorded errors: %s", m[1])
	}
	m := regexp.MustCompile(`data-probe="([^"]*)"`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatal("probe did not run")
	}
	// mixed: 3 twotime rows; 3 regressions; ascending change puts the best
	// improvement first (inconclusive -30.4%), descending the worst regression.
	want := fmt.Sprintf("%d;%d;%s;%s", 3, 3, "twotime/c2[size=medium]", "multitau/g2[size=small]")
	if m[1] != want {
		t.Errorf("probe = %q, want %q", m[1], want)
	}
}
