/* SPDX-License-Identifier: Apache-2.0 */
/* libgo for the tools: every layer's interface (see HACKING.md for the layers). */
#ifndef LIBGO_H
#define LIBGO_H

#include "base/base.h"
#include "binary/binary.h"
#include "plan/plan.h"
#include "probe/probe.h"
#include "session/tool.h"


#endif /* LIBGO_H */
