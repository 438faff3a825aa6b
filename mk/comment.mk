# Reports (issue 6): Markdown PR comment / job summary, JSON, JUnit XML, HTML dashboard.
.PHONY: test-comment test-comment-browser golden-comment bench-comment screenshots-comment

## test-comment: unit and golden tests of comment/ (junitparser test runs when python3-junitparser is installed).
test-comment:
	$(GO) test -race ./comment/ && $(GO) test -run 'TestReportCommand' ./internal/cli/

## test-comment-browser: headless Chromium loads the dashboards (slow; build tag integration).
test-comment-browser:
	$(GO) test -tags integration -run 'TestDashboard' -v ./comment/

## golden-comment: rewrite comment/testdata/golden after an intended change; review the diff.
golden-comment:
	$(GO) test ./comment/ -run 'TestGolden' -update

## screenshots-comment: keep the Chromium screenshots of the dashboards in out/screenshots.
screenshots-comment:
	mkdir -p out/screenshots
	XPCS_SCREENSHOTS=$(CURDIR)/out/screenshots $(GO) test -tags integration -run 'TestDashboardInChromium' -count 1 ./comment/

## bench-comment: renderers on a 10,000-row comparison (medians of 5 runs: compare with benchstat).
bench-comment:
	$(GO) test -run '^$$' -bench . -count 5 ./comment/
