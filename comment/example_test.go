package comment_test

import (
	"fmt"

	"github.com/xpcs-perf/xpcs-perf-action/comment"
)

func ExampleMarker() {
	fmt.Println(comment.Marker("hdf5"))
	// Output: <!-- xpcs-perf:hdf5 -->
}

func ExampleFormatValue() {
	fmt.Println(comment.FormatValue(0.0123, "s"))
	fmt.Println(comment.FormatValue(1500, "ns/op"))
	fmt.Println(comment.FormatValue(5.3e7, "B/op"))
	// Output:
	// 12.3 ms
	// 1.50 µs
	// 50.5 MiB
}

func ExampleEscapeMarkdown() {
	fmt.Println(comment.EscapeMarkdown("g2|<script>`x`\nnext"))
	// Output: g2\|&lt;script&gt;\`x\`⏎next
}
