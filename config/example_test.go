package config_test

import (
	"fmt"

	"github.com/outhook/outhook/config"
)

func ExampleFile_Validate() {
	f, err := config.Parse("outhook.yaml", []byte(`
webhooks:
  - name: ops
    path: /teams/ops
    secret: c2VjcmV0
  - name: ops
    path: teams/dev
    secret_env: DEV_TOKEN
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Validate(nil))
	// Output:
	// outhook.yaml:5:13: a security token must not be written in the configuration file: put it in an environment variable named by secret_env, or a file named by secret_file (at webhooks[0].secret)
	// outhook.yaml:3:5: webhook "ops" has no token source: with several webhooks each needs secret_env or secret_file (at webhooks[0])
	// outhook.yaml:6:11: webhook name "ops" is already used by webhook 1 (at webhooks[1].name)
	// outhook.yaml:7:11: path "teams/dev" must start with / and hold no spaces, ?, #, : or * (at webhooks[1].path)
}
