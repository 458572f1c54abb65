package access_test

import (
	"fmt"

	"github.com/outhook/outhook/middleware/access"
	"github.com/outhook/outhook/router"
)

func ExamplePolicy_Decide() {
	p, err := access.Compile(access.Rules{
		Default: "allow",
		Rules: []access.Rule{
			{Command: "deploy staging", Effect: "allow"},
			{Name: "prod deployers", Command: "deploy prod", Effect: "allow",
				Users: []string{"6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f"}},
		},
	}, []string{"help", "ping", "deploy"})
	if err != nil {
		panic(err)
	}
	here := access.Where{Team: "19:ops@thread.tacv2"}
	for _, user := range []string{"6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f", "someone-else"} {
		d := p.Decide(user, here, &router.Resolution{Path: "deploy", Positionals: []string{"prod"}, Known: true})
		fmt.Println(d.Allowed, d.Reason)
	}
	fmt.Println(p.Decide("someone-else", here, &router.Resolution{Path: "ping", Known: true}).Reason)
	// Output:
	// true rule 2 (prod deployers) allows "deploy prod" to users 6b8f1b7e-3c2a-4e5d-9f10-2a3b4c5d6e7f, and no deny rule matches
	// false "deploy" is restricted by rule 1, rule 2 (prod deployers), and none of their allow rules matches this asker and these arguments
	// no rule names "ping", and the default is allow
}

func ExampleCompile_unknownCommand() {
	_, err := access.Compile(access.Rules{
		Default: "deny",
		Rules:   []access.Rule{{Command: "deplyo prod", Effect: "allow"}},
	}, []string{"help", "deploy"})
	fmt.Println(err)
	// Output:
	// invalid access rules: rules[0]: command "deplyo prod": unknown command "deplyo" (known: deploy, help)
}
