/* ppcinterp kernel environment: <asm/page.h>. Nothing the handler file needs from it yet;
 * it exists so that the upstream #include list resolves. */
