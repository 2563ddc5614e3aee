# Counts facts of a Chakra ET file from the protobuf wire format (see README.md).
import sys, collections
d=open(sys.argv[1],'rb').read()
def varint(b,i):
    v=0;s=0
    while True:
        x=b[i];i+=1;v|=(x&0x7f)<<s;s+=7
        if x<0x80: return v,i
def fields(b):
    i=0
    while i<len(b):
        k,i=varint(b,i); f=k>>3; w=k&7
        if w==0: v,i=varint(b,i)
        elif w==2: l,i=varint(b,i); v=b[i:i+l]; i+=l
        elif w==1: v=b[i:i+8]; i+=8
        elif w==5: v=b[i:i+4]; i+=4
        yield f,w,v
msgs=[];i=0
while i<len(d):
    l,i=varint(d,i); msgs.append(d[i:i+l]); i+=l
ids=set(); nodes=[]
for m in msgs[1:]:
    n={'deps_c':[],'deps_d':[],'attr':{}, 'type':0,'dur':0}
    for f,w,v in fields(m):
        if f==1: n['id']=v
        elif f==3: n['type']=v
        elif f==4:
            if w==2:
                j=0
                while j<len(v): x,j=varint(v,j); n['deps_c'].append(x)
            else: n['deps_c'].append(v)
        elif f==5:
            if w==2:
                j=0
                while j<len(v): x,j=varint(v,j); n['deps_d'].append(x)
            else: n['deps_d'].append(v)
        elif f==7: n['dur']=v
        elif f==10:
            name=None;val=None
            for g,ww,vv in fields(v):
                if g==1: name=vv.decode()
                elif g!=2: val=(g,vv)
            n['attr'][name]=val
    ids.add(n['id']); nodes.append(n)
print('nodes',len(nodes),collections.Counter(n['type'] for n in nodes))
print('unknown ctrl', sum(1 for n in nodes for x in n['deps_c'] if x not in ids), 'unknown data', sum(1 for n in nodes for x in n['deps_d'] if x not in ids))
print('cpu ops by type', collections.Counter((n['type'], n['attr'].get('is_cpu_op')) for n in nodes))
for n in nodes:
    if n['type']==7: print(n['id'], n['attr'].get('comm_type'), n['attr'].get('comm_size'), n['attr'].get('pg_name'), n['attr'].get('is_cpu_op'), n['deps_c'], n['deps_d'], n['dur'])
tot=sum(n['dur'] for n in nodes if not (n['type']==7 and n['attr'].get('is_cpu_op')==(27,0)))
print('sum', tot, 'count', sum(1 for n in nodes if not (n['type']==7 and n['attr'].get('is_cpu_op')==(27,0))))
print('dup ids', len(nodes)-len(ids))
