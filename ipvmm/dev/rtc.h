/*
 * MC146818 CMOS clock and NVRAM at 0x70 (index, bit 7 masks NMI) and 0x71
 * (data), as Linux's mc146818_get_time/set_time use it.
 *
 * The clock is the host's wall time (UTC) read once at init, advanced by
 * the monotonic io_env.now_ns, so it ticks like a real RTC: seconds roll
 * at one fixed phase, UIP is set during the last 244 us before each roll,
 * and a guest that reads seconds, checks UIP and re-reads sees a
 * consistent time.  The guest may set the clock (SET bit, or single
 * registers); that moves only its own clock.  Register B's binary/BCD and
 * 12/24-hour bits apply to every read and write of the time registers and
 * the century byte (0x32); the alarm registers are kept as written.
 *
 * Register C's UF and PF flags are set as the update and periodic clocks
 * run; AF is never set (alarms are not compared).  Enabling the periodic,
 * alarm or update interrupt, daylight saving, or a divider other than
 * 32.768 kHz is reported as unimplemented.
 */
#ifndef IPVMM_DEV_RTC_H
#define IPVMM_DEV_RTC_H

#include <stdint.h>

#include "ipvmm/core/io.h"

struct rtc_tm {
	int64_t year;
	int mon, mday, hour, min, sec, wday; /* mon 1-12, wday 0 = Sunday */
};

struct rtc {
	const struct io_env *env;
	struct io_ports ports;
	uint8_t index;		/* as last written to 0x70, NMI mask bit included */
	uint8_t reg_a, reg_b;
	uint8_t wday_adjust;	/* guest's day of week minus the computed one, mod 7 */
	uint8_t cmos[128];	/* NVRAM and the alarm registers */
	int64_t wall_base;	/* host UTC seconds at ns_base */
	uint64_t ns_base;
	int64_t offset;		/* guest clock minus host clock, seconds */
	struct rtc_tm set_tm;	/* the time being set while register B's SET is on */
	uint64_t c_read_ns;	/* when register C was last read */
	uint32_t unimpl_done;
};

/* Resets the RTC (24-hour BCD, 32.768 kHz, 1024 Hz rate, NVRAM zero,
 * NMI enabled) and registers 0x70-0x71.  0, or -1 if the ports are taken. */
int rtc_init(struct rtc *r, const struct io_env *env);

/* Presets an NVRAM byte (0x0e-0x7f, not 0x32) before the guest runs, as a
 * BIOS would fill in memory sizes.  Other indexes are ignored. */
void rtc_nvram_set(struct rtc *r, unsigned index, uint8_t val);

/* 1 if the guest masked NMIs through bit 7 of port 0x70. */
int rtc_nmi_masked(const struct rtc *r);

#endif
