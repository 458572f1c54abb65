package cmd

import (
	"time"
)

// BotFlags are the flags that shape the bot itself, shared by serve and chat.
type BotFlags struct {
	Path      string        `help:"URL path of the webhook." default:"/webhook" env:"OUTHOOK_PATH"`
	Plugins   []string      `help:"Plugins to enable, by ID (default: all that are built in)." env:"OUTHOOK_PLUGINS"`
	Budget    time.Duration `help:"Time a command has before the bot answers with a timeout notice (Teams gives up at 5s; at most 4.5s)." default:"4s" env:"OUTHOOK_BUDGET"`
	BodyLimit int64         `help:"Largest request body accepted, in bytes." default:"1048576" env:"OUTHOOK_BODY_LIMIT"`

	FollowUpURLFile string        `name:"followup-url-file" help:"File with the incoming-webhook URL where results that miss the budget are posted (or set $OUTHOOK_FOLLOWUP_URL; the URL is a secret)." env:"OUTHOOK_FOLLOWUP_URL_FILE" type:"path"`
	JobTimeout      time.Duration `help:"How long a background job may run." default:"10m" env:"OUTHOOK_JOB_TIMEOUT"`
	Jobs            int           `help:"How many background jobs run at once." default:"4" env:"OUTHOOK_JOBS"`
	JobQueue        int           `help:"How many background jobs may wait for a worker; more are refused at once with \"busy, try again\"." default:"16" env:"OUTHOOK_JOB_QUEUE"`
}
