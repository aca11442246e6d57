/* CGPS: libgps (gpsd 3.22, GPSD_API_MAJOR_VERSION 11) for Swift.
 * The WATCH_*, *_SET, MODE_* and GPSD_API_* macros import by themselves; what does not is wrapped here. */
#ifndef CGPS_SHIM_H
#define CGPS_SHIM_H
#include <gps.h>

/* gps_send() is variadic, which Swift cannot call. */
static inline int cgps_send(struct gps_data_t *gpsdata, const char *command)
{
    return gps_send(gpsdata, "%s", command);
}

/* gps_read() gained (message, message_len) at API 7; one stable signature for Swift. */
static inline int cgps_read(struct gps_data_t *gpsdata, char *message, int message_len)
{
#if GPSD_API_MAJOR_VERSION >= 7
    return gps_read(gpsdata, message, message_len);
#else
    (void)message; (void)message_len;
    return gps_read(gpsdata);
#endif
}

/* UNION_SET is an OR of other macros, which Swift does not import. */
static const gps_mask_t cgps_union_set = UNION_SET;
#endif
