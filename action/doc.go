// Package action is xpcs-perf as a GitHub Action: it reads the inputs
// (INPUT_* variables; names with dashes stay dashed, e.g. INPUT_TIME-BUDGET)
// and the event payload, runs the benchmarks of a category (or ingests a
// results file an earlier step wrote), finds the baseline (a local file for
// the low-noise A/B mode, else the newest artifact of the base branch,
// preferring the base commit), compares, renders every report into the
// report folder, sets the step outputs and the job summary, annotates
// regressions, upserts one sticky pull-request comment and returns the exit
// status of the gate. Every run reads the history artifact (analysis/trend's
// JSON Lines) for the trend charts; main and nightly runs append to it and
// write history.jsonl for the workflow to upload.
//
// Order matters: everything measured is written to the report folder before
// any GitHub call can fail, and a refused comment (fork pull requests,
// read-only tokens) only downgrades to the job summary and a warning.
//
// The same pipeline runs locally with files (Demo) and merges the reports of
// a matrix of categories and shards into one comment and one gate
// (Aggregate). The parts that measure (the runner) and talk to GitHub are
// injected (Deps), so tests drive the whole pipeline against fakes; package
// main wires the real ones.
package action
