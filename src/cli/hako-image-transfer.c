/* SPDX-License-Identifier: Apache-2.0 */
/* Images and registries: pull, push, login, logout. */
#include "hako-cli.h"

const struct hako_command hako_image_transfer_commands[] = {
  { NULL, NULL, NULL, NULL, NULL, false },
};
