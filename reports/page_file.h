/*
 * page_file.h - where the pages of `report` and `history` go: an output directory (made when
 * missing, one level) and each page built by a callback into memory, then written whole or not at
 * all (cb_atomic_file.h). Messages go to stderr as "cifarbench COMMAND: ...".
 */
#ifndef CB_PAGE_FILE_H
#define CB_PAGE_FILE_H

#include "report_format.h"

/* Makes dir when missing (its parent must exist). Returns 0, or -1 after the message. */
int cb_page_dir(const char *command, const char *dir);

/* Builds dir/name in format html with build(o, arg) (o->title = title) and writes it. Returns 0,
 * or -1 after the message. */
int cb_page_write(const char *command, const char *dir, const char *name, bool html, const char *title,
                  void (*build)(cb_out *o, const void *arg), const void *arg);

#endif /* CB_PAGE_FILE_H */
