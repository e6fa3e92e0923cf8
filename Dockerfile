# The `withdrawals` image: one image for every role (`start`, `api`, `worker`, `batch`, `status`).
# There is no build step: tsx (a runtime dependency) loads the TypeScript sources, so the
# production install (`--omit=dev`) is all the image needs.
FROM node:20-slim

ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: this lock file lacks other platforms' optional packages (esbuild,
# rollup, msgpackr builds), which `npm ci` refuses; `install` still keeps the versions it pins.
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

# Everything `node bin/withdrawals.js` loads: the launcher, the sources, the process entrypoints.
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY workers ./workers

# tsx compiles into the OS temp dir, which the unprivileged user can write.
USER node
EXPOSE 3000
ENTRYPOINT ["node", "bin/withdrawals.js"]
CMD ["start"]
