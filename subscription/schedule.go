package subscription

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // time zones work in containers without zoneinfo

	"github.com/robfig/cron/v3"
)

// MinInterval is the shortest time between two runs of a subscription.
const MinInterval = 5 * time.Minute

// Schedule says when a subscription runs, in one of three forms: At (with
// On), Every, or Cron; and in which time zone.
type Schedule struct {
	// At is a time of day, "07:00" (24-hour clock), with On.
	At string `json:"at,omitempty"`
	// On is the days At applies to: "daily" (the default), "weekdays",
	// "weekends", or day names such as "mon,wed,fri".
	On string `json:"on,omitempty"`
	// Every is an interval such as "15m" or "2h", at least MinInterval.
	// Intervals that divide an hour or a day run on the clock (every 15m:
	// at :00, :15, :30 and :45).
	Every string `json:"every,omitempty"`
	// Cron is a five-field cron expression, "30 6 * * 1-5", or a
	// descriptor such as "@daily".
	Cron string `json:"cron,omitempty"`
	// TZ is the IANA time zone the schedule is read in, "Europe/Berlin".
	// Empty means UTC.
	TZ string `json:"tz,omitempty"`
}

var (
	atRE  = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)
	days  = map[string]string{"sun": "0", "mon": "1", "tue": "2", "wed": "3", "thu": "4", "fri": "5", "sat": "6"}
	onSet = map[string]string{"": "*", "daily": "*", "everyday": "*", "weekdays": "1-5", "weekends": "0,6"}
)

// Location returns the schedule's time zone.
func (s Schedule) Location() (*time.Location, error) {
	if s.TZ == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(s.TZ)
	if err != nil || s.TZ == "Local" {
		return nil, fmt.Errorf("unknown time zone %q: use an IANA name such as Europe/Berlin or America/New_York", s.TZ)
	}
	return loc, nil
}

// cron returns the schedule as the scheduling library's Schedule.
func (s Schedule) cron() (cron.Schedule, error) {
	n := 0
	for _, f := range []string{s.At + s.On, s.Every, s.Cron} {
		if f != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return nil, errors.New("no schedule: give --at HH:MM [--on days], --every DURATION or --cron EXPR")
	case n > 1:
		return nil, errors.New("give one schedule: --at/--on, --every or --cron")
	case s.On != "" && s.At == "":
		return nil, errors.New("--on needs --at HH:MM")
	case s.At != "":
		m := atRE.FindStringSubmatch(s.At)
		if m == nil {
			return nil, fmt.Errorf("--at %q: use a 24-hour time such as 07:00", s.At)
		}
		dow, err := dayField(s.On)
		if err != nil {
			return nil, err
		}
		return cron.ParseStandard(fmt.Sprintf("%s %s * * %s", m[2], m[1], dow))
	case s.Every != "":
		d, err := time.ParseDuration(s.Every)
		if err != nil {
			return nil, fmt.Errorf("--every %q: use a duration such as 15m or 2h", s.Every)
		}
		if d < MinInterval {
			return nil, fmt.Errorf("--every %s: runs must be at least %s apart", s.Every, MinInterval)
		}
		if d%time.Minute != 0 {
			return nil, fmt.Errorf("--every %s: use whole minutes", s.Every)
		}
		switch mins := int(d / time.Minute); {
		case mins < 60 && 60%mins == 0:
			return cron.ParseStandard(fmt.Sprintf("*/%d * * * *", mins))
		case mins%60 == 0 && mins < 24*60 && (24*60)%mins == 0:
			return cron.ParseStandard(fmt.Sprintf("0 */%d * * *", mins/60))
		case mins == 24*60:
			return cron.ParseStandard("0 0 * * *")
		default:
			return cron.Every(d), nil
		}
	default:
		if strings.Contains(s.Cron, "TZ=") {
			return nil, errors.New("--cron: give the time zone with --tz")
		}
		sched, err := cron.ParseStandard(s.Cron)
		if err != nil {
			return nil, fmt.Errorf("--cron %q: %w", s.Cron, err)
		}
		return sched, nil
	}
}

// dayField turns On into cron's day-of-week field.
func dayField(on string) (string, error) {
	on = strings.ToLower(strings.TrimSpace(on))
	if f, ok := onSet[on]; ok {
		return f, nil
	}
	var out []string
	for d := range strings.SplitSeq(on, ",") {
		d = strings.TrimSpace(d)
		if len(d) > 3 {
			d = d[:3]
		}
		n, ok := days[d]
		if !ok {
			return "", fmt.Errorf("--on %q: use daily, weekdays, weekends or days such as mon,wed,fri", on)
		}
		out = append(out, n)
	}
	return strings.Join(out, ","), nil
}

// Validate checks the schedule: one form, a known time zone, and runs at
// least MinInterval apart.
func (s Schedule) Validate() error {
	c, err := s.cron()
	if err != nil {
		return err
	}
	loc, err := s.Location()
	if err != nil {
		return err
	}
	// Look at the next runs from a fixed point: a cron expression
	// that runs more often than MinInterval is refused.
	t := time.Date(2026, 1, 5, 0, 0, 0, 0, loc)
	prev := c.Next(t)
	if prev.IsZero() {
		return errors.New("the schedule never runs")
	}
	for range 48 {
		next := c.Next(prev)
		if next.Sub(prev) < MinInterval {
			return fmt.Errorf("runs must be at least %s apart; this schedule runs %s after %s", MinInterval, next.Sub(prev), prev.Format("15:04"))
		}
		prev = next
	}
	return nil
}

// Next returns the first run strictly after t, or an error for an invalid
// schedule.
func (s Schedule) Next(t time.Time) (time.Time, error) {
	c, err := s.cron()
	if err != nil {
		return time.Time{}, err
	}
	loc, err := s.Location()
	if err != nil {
		return time.Time{}, err
	}
	next := c.Next(t.In(loc))
	if next.IsZero() {
		return time.Time{}, errors.New("the schedule never runs")
	}
	return next, nil
}

// String describes the schedule for people: "weekdays at 07:00
// (Europe/Berlin)", "every 15m (UTC)", "cron 30 6 * * 1-5 (UTC)".
func (s Schedule) String() string {
	tz := s.TZ
	if tz == "" {
		tz = "UTC"
	}
	switch {
	case s.At != "":
		on := s.On
		if on == "" {
			on = "daily"
		}
		return fmt.Sprintf("%s at %s (%s)", on, s.At, tz)
	case s.Every != "":
		return fmt.Sprintf("every %s (%s)", s.Every, tz)
	default:
		return fmt.Sprintf("cron %s (%s)", s.Cron, tz)
	}
}
