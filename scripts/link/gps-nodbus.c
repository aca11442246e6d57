/* libgps's D-Bus source, left out of the release build's static libgps (ARCHITECTURE.md, "Memory and CPU").
 *
 * libgps's gps_open() dispatches on the host it is given: "DBUS export" (gps.h: GPSD_DBUS_EXPORT) opens a D-Bus
 * listener, "shared memory" gpsd's segment, anything else a TCP socket. Meridian talks to gpsd over TCP only
 * (GNSSReference/GPSDClient.swift). Linked statically, libgps_core.o's two references to the D-Bus member would
 * pull libgps_dbus.o and with it libdbus-1 and its chain (libsystemd, libgcrypt, liblzma, libzstd, liblz4,
 * libgpg-error, libcap: about 1 MB resident); these two definitions, linked before the archive is searched, keep
 * that member out. A daemon configured with `gpsd_address DBUS export` gets gps_open()'s failure with libgps's own
 * code for it, reported as "cannot connect to gpsd at DBUS export:2947: DBUS initialization failure" and retried,
 * as any unreachable gpsd is. */
#include <errno.h>
#include <gps.h>

int gps_dbus_open(struct gps_data_t *gpsdata)
{
    (void)gpsdata;
    errno = DBUS_FAILURE;
    return -1;
}

int gps_dbus_mainloop(struct gps_data_t *gpsdata, int timeout, void (*hook)(struct gps_data_t *))
{
    (void)gpsdata;
    (void)timeout;
    (void)hook;
    errno = DBUS_FAILURE;
    return -1;
}
