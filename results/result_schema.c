/* result_schema.c - the cb_schema tables of cb_result_schema.h, expanded from its lists. */
#include <stddef.h>

#include "cb_result_schema.h"

CBR_OBJECTS(CB_SCHEMA_TABLE)
