// Package trend keeps the run history of a benchmark suite and finds trends,
// anomalies and change points in it.
//
// # History
//
// A history is a bounded JSON Lines file, one Entry per nightly or main run:
//
//	{"schema":"xpcs-perf/history/v1","time":"2026-01-02T03:04:05Z","commit":"abc","branch":"main",
//	 "run_id":"42","machine":{"cpu_model":"AMD EPYC 7763","cores":4},
//	 "benchmarks":{"xpcs/g2/multitau[size=tiny]":{"median":0.0123,"n":10,"unit":"s","cv":0.02}}}
//
// FromResults makes an Entry from a results.json, Append adds it (replacing a
// re-run of the same run id, keeping the newest DefaultMax = 1000 by time),
// Write and Read (strict: the first bad line is an error naming its line
// number) or ReadLenient (bad lines are skipped and returned, for a note)
// move it to and from a file.
//
// # Trend of one benchmark
//
// The points are the run medians in time order; points in another unit than
// the latest are left out (with a note).
//
// Slope: ordinary least squares of value on time in days since the first
// point (gonum stat.LinearRegression), in unit per day, with the 95%
// confidence interval b ± t(0.975, n-2)·se(b) (gonum distuv.StudentsT). The
// relative slope is b / median. Two points give a slope without interval
// (CI fields 0 and a note); fewer, none.
//
// Change points: binary segmentation. The whole series is tested first: the
// statistic is the largest standardised Mann-Whitney rank-sum difference
// between the first k and the last m-k points over every split k that
// leaves MinSegment (5) points on each side; its p-value is a permutation
// p-value (Permutations = 999 shuffles, seeded by Options.Seed and the
// benchmark id, so deterministic). Taking the maximum over k inside every
// permutation makes the p-value account for the search over splits, so on
// a series without change the test fires with probability Alpha (0.05).
// The shuffles stop early once the decision is settled (Besag and
// Clifford): when p > Alpha is certain, or after 199 shuffles when
// p <= Alpha/10, so clear changes report p = 0.005 ("at most").
// A significant split is kept and both sides are tested again, until no
// test is significant, a side is shorter than 2·MinSegment, or
// MaxChangePoints is reached. Each change point is then re-located between
// its neighbours, and with Options.MinShift those whose relative median
// shift is smaller are merged away, smallest first. This is the E-divisive scheme (Matteson and
// James 2014, used by MongoDB and by Hunter / Apache Otava) with a rank
// statistic, so one wild run does not make a change. Each ChangePoint has the
// index of the first point after the change, the medians of the segments
// before and after, and the p-value of the test that found it (the smallest
// possible is 1/1000). Exchangeability is the null hypothesis: a steady
// drift also ends up as change points, and the slope says which it is.
//
// A change of machine between runs is named in a note (the first three,
// then a count): a change point there is more likely the runner.
//
// Anomalies (at least MinPoints = 10 points, else none and a note): the
// robust z-score z = (r - median r) / (1.4826·MAD r) of each point's
// residual r from the median of its segment between change points; |z|
// above Sensitivity (2.0) is an anomaly. Measuring against the segment
// median keeps a real step from showing as a run of anomalies. When MAD is
// 0 the scale is 1.2533·mean absolute deviation; when that is 0 too, no
// point is an anomaly. Under Gaussian noise about 4.6% of points have
// |z| > 2: the default flags points worth a look, not alarms.
//
// AnalyzeAll analyses every benchmark of a history in parallel; each series
// gets its own random stream, so the result does not depend on the order.
package trend
