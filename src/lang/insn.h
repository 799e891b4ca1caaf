/* SPDX-License-Identifier: GPL-2.0-only */
/* Constructors for BPF instructions, for the language's code generator. */
#ifndef KS_LANG_INSN_H
#define KS_LANG_INSN_H

#include <linux/bpf.h>

#define I_RAW(c, d, s, o, i)                                                                       \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* dst = src / imm, 64-bit ALU */
#define I_MOV(d, s)	   I_RAW(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define I_MOVI(d, i)	   I_RAW(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define I_ALU(op, d, s)	   I_RAW(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define I_ALUI(op, d, i)   I_RAW(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define I_ALU32I(op, d, i) I_RAW(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define I_NEG(d)	   I_RAW(BPF_ALU64 | BPF_NEG, d, 0, 0, 0)
/* dst = *(size *)(src + off) */
#define I_LDX(sz, d, s, o) I_RAW(BPF_LDX | (sz) | BPF_MEM, d, s, o, 0)
/* *(size *)(dst + off) = src / imm */
#define I_STX(sz, d, s, o) I_RAW(BPF_STX | (sz) | BPF_MEM, d, s, o, 0)
#define I_ST(sz, d, o, i)  I_RAW(BPF_ST | (sz) | BPF_MEM, d, 0, o, i)
/* lock *(u64 *)(dst + off) += src */
#define I_XADD(d, s, o)	    I_RAW(BPF_STX | BPF_DW | BPF_ATOMIC, d, s, o, BPF_ADD)
#define I_JMP(op, d, s, o)  I_RAW(BPF_JMP | (op) | BPF_X, d, s, o, 0)
#define I_JMPI(op, d, i, o) I_RAW(BPF_JMP | (op) | BPF_K, d, 0, o, i)
#define I_JA(o)		    I_RAW(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define I_CALL(f)	    I_RAW(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define I_EXIT()	    I_RAW(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* Two instructions: dst = 64-bit imm (src = BPF_PSEUDO_MAP_FD for a map fd). */
#define I_LD64_1(d, s, v) I_RAW(BPF_LD | BPF_DW | BPF_IMM, d, s, 0, (int32_t)(uint32_t)(v))
#define I_LD64_2(v)	  I_RAW(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))

#endif
