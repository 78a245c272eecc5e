// SPDX-License-Identifier: GPL-2.0
/*
 * appliance_sim: the buses of an Appliance test board, for a kernel that has no gpio-sim, gpio-mockup or
 * virtual SPI controller (Debian 12's 6.1 kernels). One module registers three real kernel devices, so the
 * appliance reaches them through the same character devices as on a board:
 *
 *   I2C  adapter number `i2c_bus` (default 0 -> /dev/i2c-0 with i2c-dev). One target at `i2c_addr` (0x76) is a
 *        256-byte register file with an auto-incrementing register pointer, the addressing model of the
 *        BME280 (Bosch BST-BME280-DS002 section 6.2.1 "I2C write", 6.2.2 "I2C read"): a write message sets the
 *        pointer from its first byte and stores the rest at pointer, pointer+1, ...; a read message returns bytes
 *        from the pointer onward. Unlike i2c-stub, which answers SMBus only, the adapter implements master_xfer,
 *        so plain read()/write() and I2C_RDWR work (System.Device.Gpio's UnixI2cBus uses those); SMBus ioctls
 *        (i2cset/i2cget) work through the I2C core's SMBus emulation. Writing 0xB6 to 0xE0 is the BME280 soft reset
 *        (5.4.2): it clears ctrl_hum, ctrl_meas and config (0xF2, 0xF4, 0xF5, reset values 0x00 in table 18).
 *        The register file is filled by the test through i2cset (calibration, chip id, raw data).
 *   GPIO gpio_chip "appliance-sim", 8 lines. Inputs read bit n of `gpio_in` (writable through
 *        /sys/module/appliance_sim/parameters/gpio_in); lines 0 and 1 carry a pulse generator instead when `pulse_hz`
 *        > 0 (the same 50 % duty square wave on both, exact on the guest clock: edges a late timer missed are caught
 *        up; rising edges counted once in `pulse_count`), so the appliance's
 *        pulse counter (line 0) and a bus probe (line 1) can watch it at the same time. Lines driven as outputs show
 *        in `gpio_out` (bit n). Lines 0 and 1 raise edge interrupts, so the GPIO character device's edge events work.
 *   SPI  controller number `spi_bus` (default 0) with one device on chip select 0 bound to spidev
 *        (/dev/spidev0.0). It answers like a Microchip MCP3008 10-bit ADC (DS21295D section 5.0 and figure 6-1):
 *        in a 3-byte transfer the start bit is bit 0 of byte 0, byte 1 bits 7..4 are SGL/DIFF, D2, D1, D0, and
 *        the reply is a null bit then B9..B8 in the low bits of byte 1, B7..B0 in byte 2. Channel codes come from
 *        the `adc` parameter (8 values, 0..1023); differential mode gives CH+ minus CH- clamped at 0
 *        (table 5-2 pairs: 0 = CH0-CH1, 1 = CH1-CH0, ...).
 */
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/i2c.h>
#include <linux/spi/spi.h>
#include <linux/gpio/driver.h>
#include <linux/hrtimer.h>
#include <linux/irq.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#define SIM_NGPIO 8
#define SIM_PULSE_LINES 0x3 /* lines 0 and 1 */

static int i2c_bus;
module_param(i2c_bus, int, 0444);
MODULE_PARM_DESC(i2c_bus, "I2C adapter number (default 0: /dev/i2c-0)");
static unsigned short i2c_addr = 0x76;
module_param(i2c_addr, ushort, 0444);
MODULE_PARM_DESC(i2c_addr, "7-bit address of the register-file target (default 0x76, BME280 SDO low)");
static int spi_bus;
module_param(spi_bus, int, 0444);
MODULE_PARM_DESC(spi_bus, "SPI bus number (default 0: /dev/spidev0.0)");
static unsigned int adc[8] = { 0, 128, 256, 512, 768, 1023, 0, 0 };
module_param_array(adc, uint, NULL, 0644);
MODULE_PARM_DESC(adc, "MCP3008 channel codes CH0..CH7, 0..1023");
static unsigned int gpio_in;
module_param(gpio_in, uint, 0644);
MODULE_PARM_DESC(gpio_in, "Input levels, bit n = line n");
static unsigned int gpio_out;
module_param(gpio_out, uint, 0444);
MODULE_PARM_DESC(gpio_out, "Output levels driven by users, bit n = line n (read only)");
static unsigned int pulse_hz;
module_param(pulse_hz, uint, 0644);
MODULE_PARM_DESC(pulse_hz, "Pulse frequency on lines 0 and 1 in Hz, 0 = off (they then read gpio_in bits 0, 1)");
static unsigned long pulse_count;
module_param(pulse_count, ulong, 0444);
MODULE_PARM_DESC(pulse_count, "Rising edges generated on lines 0 and 1 since load (read only)");
static unsigned long spi_transfers;
module_param(spi_transfers, ulong, 0444);
MODULE_PARM_DESC(spi_transfers, "MCP3008 conversions answered (read only)");

struct sim {
	struct platform_device *pdev;
	/* I2C */
	struct i2c_adapter adapter;
	struct mutex i2c_lock;
	u8 regs[256];
	u8 pointer;
	/* GPIO */
	struct gpio_chip chip;
	spinlock_t gpio_lock;
	unsigned long out_dir; /* bit n set: line n is an output */
	unsigned long irq_enabled;
	unsigned int irq_type[SIM_NGPIO];
	bool pulse_level;
	struct hrtimer pulse_timer;
	unsigned int pulse_hz_now; /* the rate the train runs at, since pulse_t0 */
	ktime_t pulse_t0;
	u64 pulse_toggles; /* toggles since pulse_t0 */
	/* SPI */
	struct spi_controller *ctlr;
	struct spi_device *spi;
};

static struct sim *sim;

/* ---- I2C ---- */

static void sim_i2c_write(struct sim *s, const u8 *buf, u16 len)
{
	u16 i;

	if (len == 0)
		return;
	s->pointer = buf[0];
	for (i = 1; i < len; i++) {
		if (s->pointer == 0xE0) {
			/* soft reset register (BST-BME280-DS002 5.4.2): 0xB6 resets; the register reads 0x00 */
			if (buf[i] == 0xB6) {
				s->regs[0xF2] = 0;
				s->regs[0xF4] = 0;
				s->regs[0xF5] = 0;
			}
		} else {
			s->regs[s->pointer] = buf[i];
		}
		s->pointer++;
	}
}

static int sim_i2c_xfer(struct i2c_adapter *adap, struct i2c_msg *msgs, int num)
{
	struct sim *s = i2c_get_adapdata(adap);
	int n, i;

	mutex_lock(&s->i2c_lock);
	for (n = 0; n < num; n++) {
		struct i2c_msg *m = &msgs[n];

		if (m->addr != i2c_addr || (m->flags & I2C_M_TEN)) {
			mutex_unlock(&s->i2c_lock);
			return -ENXIO; /* no acknowledge: nobody at this address */
		}
		if (m->flags & I2C_M_RD) {
			for (i = 0; i < m->len; i++)
				m->buf[i] = s->pointer == 0xE0 ? 0 : s->regs[s->pointer++];
		} else {
			sim_i2c_write(s, m->buf, m->len);
		}
	}
	mutex_unlock(&s->i2c_lock);
	return num;
}

static u32 sim_i2c_func(struct i2c_adapter *adap)
{
	return I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL;
}

static const struct i2c_algorithm sim_i2c_algo = {
	.master_xfer = sim_i2c_xfer,
	.functionality = sim_i2c_func,
};

/* ---- GPIO ---- */

static int sim_gpio_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	struct sim *s = gpiochip_get_data(gc);

	return test_bit(offset, &s->out_dir) ? GPIO_LINE_DIRECTION_OUT : GPIO_LINE_DIRECTION_IN;
}

static int sim_gpio_get(struct gpio_chip *gc, unsigned int offset)
{
	struct sim *s = gpiochip_get_data(gc);

	if (test_bit(offset, &s->out_dir))
		return !!(READ_ONCE(gpio_out) & BIT(offset));
	if ((BIT(offset) & SIM_PULSE_LINES) && READ_ONCE(pulse_hz) > 0)
		return READ_ONCE(s->pulse_level);
	return !!(READ_ONCE(gpio_in) & BIT(offset));
}

static void sim_gpio_set(struct gpio_chip *gc, unsigned int offset, int value)
{
	struct sim *s = gpiochip_get_data(gc);
	unsigned long flags;

	spin_lock_irqsave(&s->gpio_lock, flags);
	if (value)
		gpio_out |= BIT(offset);
	else
		gpio_out &= ~BIT(offset);
	spin_unlock_irqrestore(&s->gpio_lock, flags);
}

static int sim_gpio_direction_input(struct gpio_chip *gc, unsigned int offset)
{
	struct sim *s = gpiochip_get_data(gc);

	clear_bit(offset, &s->out_dir);
	return 0;
}

static int sim_gpio_direction_output(struct gpio_chip *gc, unsigned int offset, int value)
{
	struct sim *s = gpiochip_get_data(gc);

	sim_gpio_set(gc, offset, value);
	set_bit(offset, &s->out_dir);
	return 0;
}

static void sim_irq_mask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct sim *s = gpiochip_get_data(gc);
	irq_hw_number_t hwirq = irqd_to_hwirq(d);

	clear_bit(hwirq, &s->irq_enabled);
	gpiochip_disable_irq(gc, hwirq);
}

static void sim_irq_unmask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct sim *s = gpiochip_get_data(gc);
	irq_hw_number_t hwirq = irqd_to_hwirq(d);

	gpiochip_enable_irq(gc, hwirq);
	set_bit(hwirq, &s->irq_enabled);
}

static int sim_irq_set_type(struct irq_data *d, unsigned int type)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct sim *s = gpiochip_get_data(gc);

	if (type & ~IRQ_TYPE_EDGE_BOTH)
		return -EINVAL; /* edges only: the pulse generator has no level interrupts */
	s->irq_type[irqd_to_hwirq(d)] = type;
	return 0;
}

static const struct irq_chip sim_irq_chip = {
	.name = "appliance-sim",
	.irq_mask = sim_irq_mask,
	.irq_unmask = sim_irq_unmask,
	.irq_set_type = sim_irq_set_type,
	.flags = IRQCHIP_IMMUTABLE,
	GPIOCHIP_IRQ_RESOURCE_HELPERS,
};

/*
 * The pulse train is exact on the guest's monotonic clock: toggle k (k = 1, 2, ...) is due at t0 + k / (2 * pulse_hz),
 * t0 being the moment pulse_hz was set. A timer that fires late (an emulated CPU on a loaded host stalls for tens of
 * milliseconds) does not drop the edges that fell due meanwhile: it emits them one by one, SIM_PULSE_CATCHUP_NS apart
 * (so that the GPIO character device's interrupt thread, which reads the level to tell a rising from a falling edge
 * when both are requested, sees each), until the train is back on time. More than one second behind, the backlog is
 * dropped (not counted in pulse_count) and the train restarts from now.
 */
#define SIM_PULSE_CATCHUP_NS (10 * NSEC_PER_MSEC)

static enum hrtimer_restart sim_pulse_tick(struct hrtimer *t)
{
	struct sim *s = container_of(t, struct sim, pulse_timer);
	unsigned int hz = READ_ONCE(pulse_hz);
	ktime_t now = ktime_get();
	u64 due;
	bool level;
	unsigned int type, line;

	if (hz != s->pulse_hz_now) {
		/* (re)start the train; the level carries on */
		s->pulse_hz_now = hz;
		s->pulse_t0 = now;
		s->pulse_toggles = 0;
	}
	if (hz == 0) {
		hrtimer_set_expires(t, ktime_add_ms(now, 100));
		return HRTIMER_RESTART;
	}
	due = div64_u64((u64)ktime_to_ns(ktime_sub(now, s->pulse_t0)) * 2 * hz, NSEC_PER_SEC);
	if (due > s->pulse_toggles + 2 * (u64)hz) {
		s->pulse_t0 = now;
		s->pulse_toggles = 0;
		due = 0;
	}
	level = !s->pulse_level;
	WRITE_ONCE(s->pulse_level, level);
	s->pulse_toggles++;
	if (level)
		WRITE_ONCE(pulse_count, pulse_count + 1);
	for (line = 0; line < SIM_NGPIO; line++) {
		if (!(BIT(line) & SIM_PULSE_LINES))
			continue;
		type = s->irq_type[line];
		if (test_bit(line, &s->irq_enabled) && !test_bit(line, &s->out_dir) &&
		    ((level && (type & IRQ_TYPE_EDGE_RISING)) || (!level && (type & IRQ_TYPE_EDGE_FALLING))))
			generic_handle_domain_irq(s->chip.irq.domain, line);
	}
	if (s->pulse_toggles < due)
		hrtimer_set_expires(t, ktime_add_ns(now, SIM_PULSE_CATCHUP_NS)); /* behind: catch up */
	else
		hrtimer_set_expires(t, ktime_add_ns(s->pulse_t0,
						    div64_u64((s->pulse_toggles + 1) * NSEC_PER_SEC, 2 * (u64)hz)));
	return HRTIMER_RESTART;
}

/* ---- SPI: MCP3008 ---- */

static int sim_spi_transfer_one(struct spi_controller *ctlr, struct spi_device *spi, struct spi_transfer *xfer)
{
	const u8 *tx = xfer->tx_buf;
	u8 *rx = xfer->rx_buf;
	unsigned int i, code = 0;
	int start = -1;

	if (rx)
		memset(rx, 0, xfer->len);
	if (!tx || !rx)
		return 0;
	/* The MCP3008 starts a conversion at the first 1 bit after CS falls (DS21295D 5.0); figure 6-1 puts it at bit 0 of byte 0. */
	for (i = 0; i < xfer->len; i++) {
		if (tx[i]) {
			start = i;
			break;
		}
	}
	if (start < 0 || tx[start] != 0x01 || start + 2 >= xfer->len)
		return 0; /* not the figure 6-1 frame: the ADC's output stays high impedance, read as zeros */
	{
		u8 cmd = tx[start + 1];
		unsigned int ch = (cmd >> 4) & 0x07;
		bool single = cmd & 0x80;
		int v;

		if (single) {
			v = READ_ONCE(adc[ch]);
		} else {
			/* table 5-2: pair (ch & ~1, ch | 1); odd D0 swaps IN+ and IN- */
			unsigned int plus = ch, minus = ch ^ 1;

			v = (int)READ_ONCE(adc[plus]) - (int)READ_ONCE(adc[minus]);
		}
		code = clamp(v, 0, 1023);
		rx[start + 1] = (code >> 8) & 0x03;
		rx[start + 2] = code & 0xFF;
		WRITE_ONCE(spi_transfers, spi_transfers + 1);
	}
	return 0;
}

static int sim_add_spi(struct sim *s)
{
	struct spi_controller *ctlr;
	struct spi_device *spi;
	int ret;

	ctlr = spi_alloc_master(&s->pdev->dev, 0);
	if (!ctlr)
		return -ENOMEM;
	ctlr->bus_num = spi_bus;
	ctlr->num_chipselect = 1;
	ctlr->mode_bits = SPI_CPOL | SPI_CPHA;
	ctlr->bits_per_word_mask = SPI_BPW_MASK(8);
	ctlr->max_speed_hz = 3600000; /* DS21295D table 1-1: 3.6 MHz at VDD = 5 V */
	ctlr->transfer_one = sim_spi_transfer_one;
	ret = spi_register_controller(ctlr);
	if (ret) {
		spi_controller_put(ctlr);
		return ret;
	}
	s->ctlr = ctlr;

	spi = spi_alloc_device(ctlr);
	if (!spi)
		return -ENOMEM;
	spi->chip_select = 0;
	spi->max_speed_hz = 1350000; /* DS21295D: 1.35 MHz at VDD = 2.7 V */
	spi->mode = SPI_MODE_0;
	spi->bits_per_word = 8;
	strscpy(spi->modalias, "mcp3008", sizeof(spi->modalias));
	/* spidev does not bind to a new controller's device by itself on 6.1: override the match. */
	spi->driver_override = kstrdup("spidev", GFP_KERNEL);
	ret = spi_add_device(spi);
	if (ret) {
		spi_dev_put(spi);
		return ret;
	}
	s->spi = spi;
	return 0;
}

static int __init sim_init(void)
{
	struct gpio_irq_chip *girq;
	int ret;

	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return -ENOMEM;
	mutex_init(&sim->i2c_lock);
	spin_lock_init(&sim->gpio_lock);
	sim->out_dir = 0xF0; /* lines 4..7 start as outputs (driven low), 0..3 as inputs */

	sim->pdev = platform_device_register_simple("appliance-sim", -1, NULL, 0);
	if (IS_ERR(sim->pdev)) {
		ret = PTR_ERR(sim->pdev);
		goto free;
	}

	sim->adapter.owner = THIS_MODULE;
	sim->adapter.class = I2C_CLASS_HWMON;
	sim->adapter.algo = &sim_i2c_algo;
	sim->adapter.nr = i2c_bus;
	sim->adapter.dev.parent = &sim->pdev->dev;
	strscpy(sim->adapter.name, "appliance-sim I2C", sizeof(sim->adapter.name));
	i2c_set_adapdata(&sim->adapter, sim);
	ret = i2c_add_numbered_adapter(&sim->adapter);
	if (ret) {
		pr_err("appliance_sim: I2C adapter %d: error %d\n", i2c_bus, ret);
		goto unregister_pdev;
	}

	sim->chip.label = "appliance-sim";
	sim->chip.parent = &sim->pdev->dev;
	sim->chip.owner = THIS_MODULE;
	sim->chip.base = -1;
	sim->chip.ngpio = SIM_NGPIO;
	sim->chip.get_direction = sim_gpio_get_direction;
	sim->chip.direction_input = sim_gpio_direction_input;
	sim->chip.direction_output = sim_gpio_direction_output;
	sim->chip.get = sim_gpio_get;
	sim->chip.set = sim_gpio_set;
	girq = &sim->chip.irq;
	gpio_irq_chip_set_chip(girq, &sim_irq_chip);
	girq->handler = handle_simple_irq;
	girq->default_type = IRQ_TYPE_NONE;
	ret = gpiochip_add_data(&sim->chip, sim);
	if (ret) {
		pr_err("appliance_sim: gpio_chip: error %d\n", ret);
		goto del_adapter;
	}

	hrtimer_init(&sim->pulse_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	sim->pulse_timer.function = sim_pulse_tick;
	hrtimer_start(&sim->pulse_timer, ms_to_ktime(100), HRTIMER_MODE_REL_HARD);

	ret = sim_add_spi(sim);
	if (ret) {
		pr_err("appliance_sim: SPI controller %d: error %d\n", spi_bus, ret);
		goto stop_timer;
	}
	pr_info("appliance_sim: i2c-%d (0x%02x), gpiochip '%s' (%d lines), spi%d.0 (MCP3008 via spidev)\n",
		i2c_bus, i2c_addr, sim->chip.label, SIM_NGPIO, spi_bus);
	return 0;

stop_timer:
	if (sim->ctlr)
		spi_unregister_controller(sim->ctlr);
	hrtimer_cancel(&sim->pulse_timer);
	gpiochip_remove(&sim->chip);
del_adapter:
	i2c_del_adapter(&sim->adapter);
unregister_pdev:
	platform_device_unregister(sim->pdev);
free:
	kfree(sim);
	return ret;
}

static void __exit sim_exit(void)
{
	spi_unregister_controller(sim->ctlr); /* unregisters its devices too */
	hrtimer_cancel(&sim->pulse_timer);
	gpiochip_remove(&sim->chip);
	i2c_del_adapter(&sim->adapter);
	platform_device_unregister(sim->pdev);
	kfree(sim);
}

module_init(sim_init);
module_exit(sim_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Appliance test board: I2C register-file target, GPIO lines with a pulse generator, MCP3008 on SPI");
