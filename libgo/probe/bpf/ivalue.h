/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An interface's value as a probe reads it (iface.bpf.h, for goiface and gotrace) and libgo
 * prints it (libgo/binary/govalue.c): the flags of what was read, and the copy of a struct or of a
 * pointer's target. Included by both sides.
 */
#ifndef GO_IVALUE_H
#define GO_IVALUE_H

#include <linux/types.h>

#define GO_IV_NO_TYPE 0x01	/* the method table could not be read */
#define GO_IV_NO_VALUE 0x02	/* the value could not be read */
#define GO_IV_STR 0x04		/* str holds a string's first bytes; word[1] its length */
#define GO_IV_AT 0x08		/* with NO_VALUE: word[0] is where the value (a string's bytes)
				 * is; the page was not in memory, which a probe cannot fault in */
#define GO_IV_FIELDS 0x10	/* x.field holds the first bytes of a struct (or a pointer's) */
#define GO_IV_STR1 0x20		/* x.str[0] holds the string whose header is at field 16 */
#define GO_IV_INNER 0x40	/* x.inner: the interface at field x.ioff, read */
#define GO_IV_ISTR 0x80		/* x.str[1] holds the string its value starts with */

/*
 * What a probe copies of a struct, or of what a pointer points to (an error such as
 * *fs.PathError): its first GO_IV_NFIELDS words, the string whose header is the second pair of
 * them (the first pair's is go_iface_str's), and an interface among them (an error that this
 * one wraps) with its dynamic type and the first words, or string, of its value. Which of them
 * are what, user space learns from the type; the probe reads them all, by their shape.
 */
#define GO_IV_NFIELDS 6
#define GO_IV_XSTR_LEN 64	/* a power of two */

/*
 * gc's maps, as the probes and libgo read them (iface.bpf.h, labels.bpf.h; composite.c,
 * release.c): a map value points at its header, runtime.hmap up to Go 1.23 and
 * internal/runtime/maps.Map from 1.24 (layout.h's go_map_form). A map of one group (a Swiss
 * table's small map) or of one bucket holds all its entries there: 8 control bytes (tophash),
 * then its slots.
 */
#define GO_MAP_COUNT 0		/* hmap.count, Map.used: its entries */
#define GO_MAP_B 9		/* hmap.B, a byte: log2 of its buckets */
#define GO_MAP_GROUP 16		/* hmap.buckets; Map.dirPtr: a small map's group */
#define GO_MAP_MORE 24		/* hmap.oldbuckets (a map that grows); Map.dirLen: 0 when small */
#define GO_MAP_SLOTS 8		/* slots of a group (a bucket) */
#define GO_MAP_TOPHASH_MIN 5	/* a bucket's slot is full from this tophash on (0, 1: empty,
				 * 2-4: moved to the new buckets while the map grows) */
#define GO_MAP_CTRL_EMPTY 0x80	/* a group's slot is full when its control byte lacks this bit */
/*
 * A map type's descriptor, after the type's 48 bytes: Key and Elem; then abi.MapType's (Go
 * 1.24+) Group, Hasher, GroupSize, SlotSize, ElemOff and Flags (4, 8: the key, the elem stored
 * indirectly), or runtime.maptype's bucket, hasher, keysize and valuesize (bytes), bucketsize
 * (16 bits) and flags (32 bits: 1, 2, the same).
 */
#define GO_MAPTYPE_KEY 48
#define GO_MAPTYPE_ELEM 56
#define GO_MAPTYPE_GROUP 64
#define GO_MAPTYPE_SIZES 80	/* hash: keysize...flags in one word; Swiss: GroupSize */
#define GO_MAPTYPE_SLOT 88	/* Swiss: SlotSize, then ElemOff, Flags */

/*
 * What a probe copies of a map (go_iface_map) in the place of go_ivx's words: when the map is
 * one group (Go 1.24+) or one bucket (before), every full slot's key and element, an entry
 * each, in the group's order: a value of up to 8 bytes as its bytes, a string as its length
 * and first GO_IV_MSTR_LEN bytes. Which are which, user space learns from the map's type.
 */
#define GO_IV_MAP_N GO_MAP_SLOTS	/* entries copied: a group's (a bucket's) */
#define GO_IV_MSTR_LEN 16	/* bytes of a string key or element copied */

struct go_ivmap {
	__u8 n;			/* entries copied */
	__u8 whole;		/* 1: the map is one group, its full slots all copied */
	__u8 bad;		/* a read of an entry failed: nothing to show of it */
	__u8 pad[5];
	__u64 key[GO_IV_MAP_N], elem[GO_IV_MAP_N];
	char kstr[GO_IV_MAP_N][GO_IV_MSTR_LEN], estr[GO_IV_MAP_N][GO_IV_MSTR_LEN];
};

struct go_ivx {
	union {
		struct {
			__u64 field[GO_IV_NFIELDS];
			__u64 itype;	/* the interface at field ioff: its dynamic type, */
			__u8 ikind, itflag;	/* the type's Kind_ and TFlag bytes, */
			__u8 ioff;	/* its offset, 16 or 32 (0: none) */
			__u8 pad[5];
			__u64 iword[2];	/* its value's first 16 bytes, or its data word */
			char str[2][GO_IV_XSTR_LEN];
		};
		struct go_ivmap map;	/* a map's (GO_IV_FIELDS with kind Map) */
	};
};

#endif
