/*
 * MC146818 RTC.  Register layout and bits from the data sheet and
 * include/linux/mc146818rtc.h; the read sequence to satisfy is Linux's
 * mc146818_avoid_UIP (seconds, UIP, fields, UIP, seconds) and the write
 * sequence mc146818_set_time (SET and divider reset around the fields).
 */
#include "ipvmm/dev/rtc.h"
#include "ipvmm/dev/dev.h"

#define NS_PER_S	1000000000ull
#define UIP_NS		244000ull	/* UIP leads the update by 244 us */

enum {
	R_SEC = 0x00, R_MIN = 0x02, R_HOUR = 0x04, R_WDAY = 0x06, R_MDAY = 0x07,
	R_MON = 0x08, R_YEAR = 0x09, R_A = 0x0a, R_B = 0x0b, R_C = 0x0c, R_D = 0x0d,
	R_CENTURY = 0x32,
};

#define A_UIP	0x80
#define A_DV	0x70
#define A_RS	0x0f
#define A_DV_32K 0x20

#define B_SET	0x80
#define B_PIE	0x40
#define B_AIE	0x20
#define B_UIE	0x10
#define B_DM	0x04	/* binary, not BCD */
#define B_24H	0x02
#define B_DSE	0x01

#define C_IRQF	0x80
#define C_PF	0x40
#define C_UF	0x10

#define D_VRT	0x80

enum { C_SIZE, C_PIE, C_AIE, C_UIE, C_DSE, C_DIVIDER };

static const char rtc_name[] = "rtc@70";

static void report(struct rtc *r, unsigned bit, const char *what, uint32_t val)
{
	dev_unimplemented(r->env, &r->unimpl_done, bit, rtc_name, what, val);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); months and days outside their range carry over. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y += floor_div(m - 1, 12);
	m = (int)(m - 1 - floor_div(m - 1, 12) * 12) + 1;
	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static struct rtc_tm tm_from_seconds(int64_t s)
{
	struct rtc_tm tm;
	int64_t days = floor_div(s, 86400), secs = s - days * 86400;
	int64_t z = days + 719468, era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	tm.mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm.mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	tm.year = yoe + era * 400 + (tm.mon <= 2);
	tm.hour = (int)(secs / 3600);
	tm.min = (int)(secs / 60 % 60);
	tm.sec = (int)(secs % 60);
	tm.wday = (int)(days + 4 - floor_div(days + 4, 7) * 7); /* 1970-01-01 was a Thursday */
	return tm;
}

static int64_t seconds_from_tm(const struct rtc_tm *tm)
{
	return days_from_civil(tm->year, tm->mon, tm->mday) * 86400 +
	       (int64_t)tm->hour * 3600 + (int64_t)tm->min * 60 + tm->sec;
}

static uint64_t now(const struct rtc *r)
{
	return r->env->now_ns(r->env->ctx);
}

static uint64_t since_base(const struct rtc *r, uint64_t t)
{
	return t > r->ns_base ? t - r->ns_base : 0;
}

static int64_t host_seconds(const struct rtc *r, uint64_t t)
{
	return r->wall_base + (int64_t)(since_base(r, t) / NS_PER_S);
}

/* The guest's clock now: frozen while SET is on. */
static struct rtc_tm current(const struct rtc *r, uint64_t t)
{
	struct rtc_tm tm;

	if (r->reg_b & B_SET)
		return r->set_tm;
	tm = tm_from_seconds(host_seconds(r, t) + r->offset);
	tm.wday = (tm.wday + r->wday_adjust) % 7;
	return tm;
}

static void set_clock(struct rtc *r, const struct rtc_tm *tm, uint64_t t)
{
	struct rtc_tm norm;

	r->offset = seconds_from_tm(tm) - host_seconds(r, t);
	norm = tm_from_seconds(seconds_from_tm(tm));
	r->wday_adjust = (uint8_t)((tm->wday - norm.wday + 7) % 7);
}

static uint8_t encode(const struct rtc *r, int v)
{
	return (r->reg_b & B_DM) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static int decode(const struct rtc *r, uint8_t v)
{
	return (r->reg_b & B_DM) ? v : (v >> 4) * 10 + (v & 15);
}

static uint8_t encode_hour(const struct rtc *r, int hour)
{
	int h12;

	if (r->reg_b & B_24H)
		return encode(r, hour);
	h12 = hour % 12 ? hour % 12 : 12;
	return (uint8_t)(encode(r, h12) | (hour >= 12 ? 0x80 : 0));
}

static int decode_hour(const struct rtc *r, uint8_t v)
{
	int h;

	if (r->reg_b & B_24H)
		return decode(r, v);
	h = decode(r, v & 0x7f) % 12;
	return (v & 0x80) ? h + 12 : h;
}

static uint8_t read_time(const struct rtc *r, unsigned reg, uint64_t t)
{
	struct rtc_tm tm = current(r, t);

	switch (reg) {
	case R_SEC:
		return encode(r, tm.sec);
	case R_MIN:
		return encode(r, tm.min);
	case R_HOUR:
		return encode_hour(r, tm.hour);
	case R_WDAY:
		return encode(r, tm.wday + 1);
	case R_MDAY:
		return encode(r, tm.mday);
	case R_MON:
		return encode(r, tm.mon);
	case R_YEAR:
		return encode(r, (int)(tm.year - floor_div(tm.year, 100) * 100));
	default: /* R_CENTURY */
		return encode(r, (int)floor_div(tm.year, 100));
	}
}

static void write_time(struct rtc *r, unsigned reg, uint8_t v, uint64_t t)
{
	struct rtc_tm tm = current(r, t);
	int64_t century = floor_div(tm.year, 100);

	switch (reg) {
	case R_SEC:
		tm.sec = decode(r, v);
		break;
	case R_MIN:
		tm.min = decode(r, v);
		break;
	case R_HOUR:
		tm.hour = decode_hour(r, v);
		break;
	case R_WDAY:
		tm.wday = (decode(r, v) + 6) % 7;
		break;
	case R_MDAY:
		tm.mday = decode(r, v);
		break;
	case R_MON:
		tm.mon = decode(r, v);
		break;
	case R_YEAR:
		tm.year = century * 100 + decode(r, v);
		break;
	default: /* R_CENTURY */
		tm.year = (int64_t)decode(r, v) * 100 + (tm.year - century * 100);
		break;
	}
	if (r->reg_b & B_SET)
		r->set_tm = tm;
	else
		set_clock(r, &tm, t);
}

static uint8_t read_a(const struct rtc *r, uint64_t t)
{
	uint64_t phase = since_base(r, t) % NS_PER_S;
	int uip = !(r->reg_b & B_SET) && (r->reg_a & A_DV) == A_DV_32K && phase >= NS_PER_S - UIP_NS;

	return (uint8_t)(r->reg_a | (uip ? A_UIP : 0));
}

/* Ticks of the 32.768 kHz time base since ns_base. */
static uint64_t ticks_32k(const struct rtc *r, uint64_t t)
{
	uint64_t ns = since_base(r, t);

	return ns / NS_PER_S * 32768 + ns % NS_PER_S * 32768 / NS_PER_S;
}

static uint8_t read_c(struct rtc *r, uint64_t t)
{
	uint8_t flags = 0;
	unsigned rs = r->reg_a & A_RS;

	if (!(r->reg_b & B_SET) && since_base(r, t) / NS_PER_S != since_base(r, r->c_read_ns) / NS_PER_S)
		flags |= C_UF;
	if (rs) {
		/* rates 1 and 2 are 256 and 128 Hz, 3-15 are 8192 Hz down to 2 Hz */
		uint64_t period = rs >= 3 ? 1ull << (rs - 1) : rs == 1 ? 128 : 256;

		if (ticks_32k(r, t) / period != ticks_32k(r, r->c_read_ns) / period)
			flags |= C_PF;
	}
	if (((flags & C_PF) && (r->reg_b & B_PIE)) || ((flags & C_UF) && (r->reg_b & B_UIE)))
		flags |= C_IRQF;
	r->c_read_ns = t;
	return flags;
}

static void write_a(struct rtc *r, uint8_t v)
{
	uint8_t dv = v & A_DV;

	/* Linux holds the divider in reset (DV = 11x) while SET is on; any
	 * other divider would change the clock's rate */
	if (dv != A_DV_32K && !((r->reg_b & B_SET) && (dv & 0x60) == 0x60))
		report(r, C_DIVIDER, "register A divider other than 32.768 kHz", v);
	r->reg_a = v & (A_DV | A_RS);
}

static void write_b(struct rtc *r, uint8_t v, uint64_t t)
{
	if ((v & B_SET) && !(r->reg_b & B_SET)) {
		r->set_tm = current(r, t);
		v &= (uint8_t)~B_UIE; /* setting SET clears UIE */
	}
	if (v & B_PIE)
		report(r, C_PIE, "periodic interrupt", v);
	if (v & B_AIE)
		report(r, C_AIE, "alarm interrupt", v);
	if (v & B_UIE)
		report(r, C_UIE, "update-ended interrupt", v);
	if (v & B_DSE)
		report(r, C_DSE, "daylight saving enable", v);
	if (!(v & B_SET) && (r->reg_b & B_SET)) {
		r->reg_b = v;
		set_clock(r, &r->set_tm, t);
		return;
	}
	/* SQWE (bit 3) drives a pin a PC leaves unconnected */
	r->reg_b = v;
}

static int is_time_reg(unsigned reg)
{
	return reg == R_SEC || reg == R_MIN || reg == R_HOUR || reg == R_WDAY || reg == R_MDAY ||
	       reg == R_MON || reg == R_YEAR || reg == R_CENTURY;
}

static uint32_t rtc_read(void *dev, uint16_t port, unsigned size)
{
	struct rtc *r = dev;
	unsigned reg = r->index & 0x7f;
	uint64_t t;

	if (size != 1) {
		report(r, C_SIZE, "access size", size);
		return 0xffffffffu;
	}
	/* 0x70 is write-only on the chip; chipsets differ, this one echoes */
	if (port == 0x70)
		return r->index;
	t = now(r);
	if (is_time_reg(reg))
		return read_time(r, reg, t);
	switch (reg) {
	case R_A:
		return read_a(r, t);
	case R_B:
		return r->reg_b;
	case R_C:
		return read_c(r, t);
	case R_D:
		return D_VRT;
	default:
		return r->cmos[reg];
	}
}

static void rtc_write(void *dev, uint16_t port, unsigned size, uint32_t val32)
{
	struct rtc *r = dev;
	uint8_t v = (uint8_t)val32;
	unsigned reg = r->index & 0x7f;
	uint64_t t;

	if (size != 1) {
		report(r, C_SIZE, "access size", size);
		return;
	}
	if (port == 0x70) {
		r->index = v;
		return;
	}
	t = now(r);
	if (is_time_reg(reg)) {
		write_time(r, reg, v, t);
		return;
	}
	switch (reg) {
	case R_A:
		write_a(r, v);
		break;
	case R_B:
		write_b(r, v, t);
		break;
	case R_C:
	case R_D:
		break; /* read-only */
	default:
		r->cmos[reg] = v;
		break;
	}
}

int rtc_init(struct rtc *r, const struct io_env *env)
{
	*r = (struct rtc){
		.env = env,
		.reg_a = A_DV_32K | 0x06,
		.reg_b = B_24H,
	};
	r->ns_base = r->c_read_ns = now(r);
	r->wall_base = env->wall_time(env->ctx);
	r->ports = (struct io_ports){ .name = rtc_name, .base = 0x70, .count = 2,
				      .dev = r, .read = rtc_read, .write = rtc_write };
	return io_register(&r->ports);
}

void rtc_nvram_set(struct rtc *r, unsigned index, uint8_t val)
{
	if (index >= 0x0e && index < 0x80 && index != R_CENTURY)
		r->cmos[index] = val;
}

int rtc_nmi_masked(const struct rtc *r)
{
	return r->index >> 7;
}
