# Prefixes: the site starts at the prefix, whether it is a word of the same
# statement, a statement of its own on the same line, or on the line before.
	.text
p:
	rep; outsb
	rep ; insl
	rep outsw
	rep insb
	rep
	outsl
	data16 lgdt (%eax)
	cs; lgdt (%eax)
	addr16 lidt (%si)
	lock; incl (%eax)
	rep; movsb
	rep
	movsl
	rep
1:	outsb
	ret
