package bot_test

import (
	"fmt"
	"strings"

	"github.com/outhook/outhook/bot"
)

func ExampleEscape() {
	// Whatever the user typed renders as typed: no bold, no fake mention.
	fmt.Println(bot.Escape("**urgent** <at>CEO</at>"))
	// Output:
	// &#42;&#42;urgent&#42;&#42; &lt;at&gt;CEO&lt;/at&gt;
}

func ExampleCode() {
	fmt.Println(bot.Code("go test ./..."))
	fmt.Println(bot.Code("a `tricky` one"))
	// Output:
	// `go test ./...`
	// ``a `tricky` one``
}

func ExampleCodeBlock() {
	fmt.Println(bot.CodeBlock("go", "fmt.Println(\"hi\")\n"))
	// Output:
	// ```go
	// fmt.Println("hi")
	// ```
}

func ExampleAt() {
	e := bot.At(bot.Account{ID: "29:1a2b", Name: "R&D Team"})
	fmt.Println(e.Text, e.Mentioned.ID, e.Mentioned.Name)
	// Output:
	// <at>R&amp;D Team</at> 29:1a2b R&D Team
}

func ExampleReply_Mention() {
	asker := bot.Account{ID: "29:1a2b", Name: "Ada"}
	r := bot.Text("Your build is green,").Mention(asker)
	fmt.Println(r.Text)
	fmt.Println(len(r.Entities), r.Entities[0].Text)
	// Output:
	// Your build is green, <at>Ada</at>
	// 1 <at>Ada</at>
}

func ExampleEscapef() {
	asker := bot.Account{ID: "29:1a2b", Name: "Ada"}
	r := bot.Escapef("%s deployed **%s**", asker, "feature/*wip*")
	fmt.Println(r.Text)
	fmt.Println(len(r.Entities))
	// Output:
	// <at>Ada</at> deployed **feature/&#42;wip&#42;**
	// 1
}

func ExampleFit() {
	long := bot.Text(strings.Repeat("All work and no play. ", 5000))
	r := bot.Fit(long, 0)
	fmt.Println(len(long.Text) > bot.MaxReplySize, len(r.Text) < bot.MaxReplySize)
	fmt.Println(r.Text[strings.LastIndex(r.Text, "\n")+1:])
	// Output:
	// true true
	// *(Cut here: the full reply was 110.0 KB, more than Teams accepts.)*
}
