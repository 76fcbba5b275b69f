/*
 * dmab/error.h: error codes of libdmab.
 *
 * Every function that can fail returns 0 (or a positive value where
 * documented, such as a cookie) on success and a negative code from the one
 * table below on failure. Values match Linux errno numbers where one exists,
 * so a code means the same thing in a kernel log; codes with no errno
 * equivalent start at 4000. The same X-macro yields the enum, the name and the
 * message, so the three can never disagree (the libuv pattern).
 */
#ifndef DMAB_ERROR_H
#define DMAB_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, value, message) */
#define DMAB_ERROR_TABLE(X)                                                    \
	X(EIO, 5, "I/O error")                                                 \
	X(ENOMEM, 12, "out of memory")                                         \
	X(EFAULT, 14, "address not reachable by the device")                   \
	X(EBUSY, 16, "resource busy")                                          \
	X(EEXIST, 17, "already exists")                                        \
	X(ENODEV, 19, "no such device or backend")                             \
	X(EINVAL, 22, "invalid argument")                                      \
	X(ENOSPC, 28, "no space left (pool or table exhausted)")              \
	X(ERANGE, 34, "value out of range")                                    \
	X(ENOSYS, 38, "operation not implemented by this backend")             \
	X(ENOENT, 2, "no such entry")                                          \
	X(EAGAIN, 11, "try again")                                             \
	X(ENOTSUP, 95, "not supported")                                        \
	X(ETIMEDOUT, 110, "timed out")                                         \
	X(ECANCELED, 125, "cancelled")                                         \
	X(EALIGN, 4000, "misaligned address or size")                          \
	X(EPARTIAL_LINE, 4001, "mapping shares a cache line with other data")  \
	X(EDOUBLEFREE, 4002, "block already free (double free)")               \
	X(EFOREIGN, 4003, "pointer does not belong to this object")            \
	X(EBUSERR, 4005, "bus error")                                          \
	X(EDESC, 4006, "descriptor error")                                     \
	X(EDATA, 4007, "data error (verification failed)")                     \
	X(EVERSION, 4008, "backend ops version mismatch")                      \
	X(EMISSINGOP, 4009, "backend lacks a required op")                     \
	X(ELEAK, 4010, "objects still outstanding at teardown")               \
	X(ESTATE, 4011, "object in the wrong state for this call")

enum dmab_error {
#define DMAB__ERR_ENUM(name, value, msg) DMAB_##name = -(value),
	DMAB_ERROR_TABLE(DMAB__ERR_ENUM)
#undef DMAB__ERR_ENUM
};

/* Message for a code; "unknown error" for anything not in the table. */
const char *dmab_strerror(int err);
/* Symbolic name ("EINVAL"); "UNKNOWN" for anything not in the table. */
const char *dmab_err_name(int err);

#ifdef __cplusplus
}
#endif
#endif
