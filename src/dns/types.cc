// Placeholder until the record-type table lands.
#include "dns/types.h"
