/* GET /api/health: 200 when the database answers, 503 when it does not. */
#ifndef LLMOPS_HEALTH_H
#define LLMOPS_HEALTH_H

#include "db.h"
#include "reply.h"

void	health_check(struct db *, struct reply *);

#endif
