package subscription_test

import (
	"strings"
	"testing"
	"time"

	"github.com/outhook/outhook/subscription"
)

func TestScheduleNext(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// Friday 27 November 2026, 08:00 in Berlin.
	fri := time.Date(2026, 11, 27, 8, 0, 0, 0, berlin)
	tests := []struct {
		name  string
		sched subscription.Schedule
		from  time.Time
		want  time.Time
	}{
		{"weekdays at 07:00 skips the weekend", subscription.Schedule{At: "07:00", On: "weekdays", TZ: "Europe/Berlin"}, fri,
			time.Date(2026, 11, 30, 7, 0, 0, 0, berlin)},
		{"daily by default", subscription.Schedule{At: "7:30", TZ: "Europe/Berlin"}, fri,
			time.Date(2026, 11, 28, 7, 30, 0, 0, berlin)},
		{"later today", subscription.Schedule{At: "18:05", On: "daily", TZ: "Europe/Berlin"}, fri,
			time.Date(2026, 11, 27, 18, 5, 0, 0, berlin)},
		{"day names", subscription.Schedule{At: "09:00", On: "mon,wednesday", TZ: "Europe/Berlin"}, fri,
			time.Date(2026, 11, 30, 9, 0, 0, 0, berlin)},
		{"weekends", subscription.Schedule{At: "10:00", On: "weekends", TZ: "Europe/Berlin"}, fri,
			time.Date(2026, 11, 28, 10, 0, 0, 0, berlin)},
		{"UTC when no zone", subscription.Schedule{At: "07:00"}, fri,
			time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC)},
		{"every 15m on the clock", subscription.Schedule{Every: "15m"}, time.Date(2026, 11, 27, 8, 7, 0, 0, time.UTC),
			time.Date(2026, 11, 27, 8, 15, 0, 0, time.UTC)},
		{"every 2h on the clock", subscription.Schedule{Every: "2h", TZ: "Europe/Berlin"}, fri,
			time.Date(2026, 11, 27, 10, 0, 0, 0, berlin)},
		{"every 7m from now", subscription.Schedule{Every: "7m"}, time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC),
			time.Date(2026, 11, 27, 8, 7, 0, 0, time.UTC)},
		{"cron in a zone", subscription.Schedule{Cron: "30 6 * * 1-5", TZ: "America/New_York"}, fri,
			time.Date(2026, 11, 27, 11, 30, 0, 0, time.UTC)},
		{"cron descriptor", subscription.Schedule{Cron: "@daily"}, fri,
			time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)},
		{"across the DST change", subscription.Schedule{At: "07:00", TZ: "Europe/Berlin"}, time.Date(2026, 3, 28, 8, 0, 0, 0, berlin),
			time.Date(2026, 3, 29, 5, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.sched.Validate(); err != nil {
				t.Fatalf("Validate: got %v; want nil", err)
			}
			got, err := tt.sched.Next(tt.from)
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("got %v %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestScheduleErrors(t *testing.T) {
	tests := []struct {
		name  string
		sched subscription.Schedule
		want  string
	}{
		{"none", subscription.Schedule{}, "no schedule"},
		{"two forms", subscription.Schedule{At: "07:00", Every: "1h"}, "give one schedule"},
		{"on without at", subscription.Schedule{On: "weekdays"}, "--on needs --at"},
		{"bad time", subscription.Schedule{At: "25:00"}, "24-hour time"},
		{"bad day", subscription.Schedule{At: "07:00", On: "funday"}, "--on"},
		{"too often", subscription.Schedule{Every: "1m"}, "at least 5m0s apart"},
		{"not a duration", subscription.Schedule{Every: "often"}, "--every"},
		{"seconds", subscription.Schedule{Every: "10m30s"}, "whole minutes"},
		{"cron too often", subscription.Schedule{Cron: "* * * * *"}, "at least 5m0s apart"},
		{"cron bursts", subscription.Schedule{Cron: "0,1 9 * * *"}, "at least 5m0s apart"},
		{"cron bad", subscription.Schedule{Cron: "nonsense"}, "--cron"},
		{"cron with its own zone", subscription.Schedule{Cron: "CRON_TZ=Asia/Tokyo 0 9 * * *"}, "--tz"},
		{"unknown zone", subscription.Schedule{At: "07:00", TZ: "Mars/Olympus"}, "unknown time zone"},
		{"local zone", subscription.Schedule{At: "07:00", TZ: "Local"}, "unknown time zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.sched.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want an error with %q", err, tt.want)
			}
		})
	}
}

func TestScheduleString(t *testing.T) {
	tests := []struct {
		sched subscription.Schedule
		want  string
	}{
		{subscription.Schedule{At: "07:00", On: "weekdays", TZ: "Europe/Berlin"}, "weekdays at 07:00 (Europe/Berlin)"},
		{subscription.Schedule{At: "07:00"}, "daily at 07:00 (UTC)"},
		{subscription.Schedule{Every: "15m"}, "every 15m (UTC)"},
		{subscription.Schedule{Cron: "0 9 * * 1"}, "cron 0 9 * * 1 (UTC)"},
	}
	for _, tt := range tests {
		if got := tt.sched.String(); got != tt.want {
			t.Errorf("got %q; want %q", got, tt.want)
		}
	}
}

// FuzzSchedule: no input makes Validate or Next panic, and a valid
// schedule's next run is in the future.
func FuzzSchedule(f *testing.F) {
	f.Add("07:00", "weekdays", "", "", "Europe/Berlin")
	f.Add("", "", "15m", "", "")
	f.Add("", "", "", "30 6 * * 1-5", "UTC")
	f.Add("", "", "", "@every 1h", "")
	f.Fuzz(func(t *testing.T, at, on, every, cron, tz string) {
		s := subscription.Schedule{At: at, On: on, Every: every, Cron: cron, TZ: tz}
		if s.Validate() != nil {
			return
		}
		from := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		next, err := s.Next(from)
		if err != nil || !next.After(from) {
			t.Fatalf("%+v: got %v %v; want a time after %v", s, next, err, from)
		}
	})
}
