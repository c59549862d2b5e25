package v1alpha1_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

const sleepSource = "  source: {namespace: shop}\n"

var _ = DescribeTable("refuses a sleep spec that cannot work, at admission",
	func(spec, message string) {
		err := apply(sleepSource + spec)
		Expect(err).To(HaveOccurred(), "the API server accepted:\n%s", spec)
		Expect(err.Error()).To(ContainSubstring(message))
	},
	Entry("an empty sleep", "  sleep: {}\n", "spec.sleep: Invalid value"),
	Entry("a time zone that does not exist", "  sleep: {schedule: {timeZone: Mars/Olympus_Mons, awake: [{days: Mon-Fri, from: '08:00', to: '19:00'}]}}\n",
		"timeZone must be an IANA time zone name"),
	Entry("a time zone that is not a name", "  sleep: {schedule: {timeZone: 'UTC+2', awake: [{days: Mon-Fri, from: '08:00', to: '19:00'}]}}\n",
		"spec.sleep.schedule.timeZone"),
	Entry("a schedule without windows", "  sleep: {schedule: {timeZone: UTC, awake: []}}\n", "spec.sleep.schedule.awake"),
	Entry("lower-case days", "  sleep: {schedule: {awake: [{days: mon-fri, from: '08:00', to: '19:00'}]}}\n", "spec.sleep.schedule.awake[0].days"),
	Entry("a day that is not one", "  sleep: {schedule: {awake: [{days: Mon-Funday, from: '08:00', to: '19:00'}]}}\n", "spec.sleep.schedule.awake[0].days"),
	Entry("a time without minutes", "  sleep: {schedule: {awake: [{days: Mon, from: '8', to: '19:00'}]}}\n", "spec.sleep.schedule.awake[0].from"),
	Entry("24:00 as a start", "  sleep: {schedule: {awake: [{days: Mon, from: '24:00', to: '19:00'}]}}\n", "spec.sleep.schedule.awake[0].from"),
	Entry("an hour past 23", "  sleep: {schedule: {awake: [{days: Mon, from: '08:00', to: '25:00'}]}}\n", "spec.sleep.schedule.awake[0].to"),
	Entry("an empty window", "  sleep: {schedule: {awake: [{days: Mon, from: '08:00', to: '08:00'}]}}\n", "from and to must differ"),
	Entry("an idle period too short to measure", "  sleep: {idleAfter: 1m}\n", "idleAfter must be at least 10m"),
	Entry("an override state that is not one", "  sleep: {override: {state: Dozing}}\n", "spec.sleep.override.state: Unsupported value"),
	Entry("an override without a state", "  sleep: {override: {until: '2030-01-01T00:00:00Z'}}\n", "spec.sleep.override.state: Required value"),
)

var _ = DescribeTable("accepts sleep specs people write",
	func(spec string) {
		Expect(apply(sleepSource + spec)).To(Succeed())
	},
	Entry("office hours in Berlin", "  sleep: {schedule: {timeZone: Europe/Berlin, awake: [{days: Mon-Fri, from: '08:00', to: '19:00'}]}}\n"),
	Entry("a night shift across midnight and the week's end", "  sleep: {schedule: {timeZone: America/Argentina/Buenos_Aires, awake: [{days: 'Fri-Mon,Wed', from: '22:00', to: '06:00'}]}}\n"),
	Entry("a whole day", "  sleep: {schedule: {awake: [{days: Sat, from: '00:00', to: '24:00'}]}}\n"),
	Entry("idle after two hours", "  sleep: {idleAfter: 2h}\n"),
	Entry("asleep by hand until a time", "  sleep: {override: {state: Asleep, until: '2030-01-01T00:00:00Z'}}\n"),
)
