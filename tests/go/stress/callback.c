//go:build cgo

#include <stdint.h>
#include "_cgo_export.h"

int64_t c_calls_back(int64_t n)
{
	int64_t s = 0;

	for (int64_t i = 0; i < n; i++)
		s += goCallback(i);
	return s;
}
